// Gaussian noise level, as skimage.restoration.estimate_sigma (0.19) gives it:
// a one-level 2-D db2 wavelet transform (pywt.dwtn, mode 'symmetric'), the
// diagonal detail band HH with exact zeros dropped, and
//   sigma = median(|HH|) / 0.6744897501960817   (0 when HH is all zeros).
//
// Exactness. The result is pywt's, bit for bit: every |HH| that can decide
// the median is computed in double precision with pywt's own order of
// operations (axis 0 first, taps summed in filter order, input scaled as
// img_as_float does: y * (1/255)), and the median is an exact selection.
// Bit-exactness matters beyond the last digit: pywt keeps tiny non-zero
// residues in flat regions and drops exact zeros, which moves the median's
// rank.
//
// Speed. HH (half a million values at 1080p) is never stored, and on
// ordinary frames most of it is never computed in double either:
//  - The screen computes |HH| in single precision (eight AVX2 lanes instead
//    of four), with a proven bound on how far a screened value can lie from
//    pywt's double (see "The screen" below).
//  - A cheap first pass over a sample of screened rows guesses a window of
//    values that holds the median; the full screening pass counts the values
//    below the window and keeps the ones inside it (about a tenth).
//  - The screened median pins pywt's median to within the bound. Only the
//    coefficients screened that close to it (a few thousand) are recomputed
//    exactly, from the bytes, and the median is selected among those. So are
//    the few screened so close to zero that they might be exact zeros.
// When the screen cannot decide cheaply (the median among near-zero
// residues, as on flat or synthetic images; many near-zero values; a sample
// unlike the rest of the frame), the exact pass runs: the same window scheme
// on |HH| computed in double throughout, the original method. Either way the
// result never depends on the screen or on the sample, only the time does.
//
// Where the parts are: db2.h (the taps), noise_hh.{h,cpp} (exact |HH|, by
// rows and one at a time), noise_screen.{h,cpp} (the screen and its bound),
// radix_window.h (histograms and windows, for both), kernels.h and src/x86/
// (the row kernels per ISA). This file is the entry point and the exact pass.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "db2.h"
#include "focusmeter/features.h"
#include "kernels.h"
#include "noise_hh.h"
#include "noise_screen.h"
#include "noise_sigma_detail.h"
#include "radix_window.h"

namespace focusmeter {
namespace detail {
namespace {

struct Scratch {
  ExactScratch exact;
  ScreenScratch screen;
};

// A window holding the non-zero ranks lo..hi, exactly, from all rows.
Window exact_window(HHRows& hh, std::size_t lo, std::size_t hi) {
  const KeyRange<std::uint64_t> w = sample_rows<std::uint64_t>(hh, 1, 0).window(lo, hi);
  return {w.lo, w.hi};
}

// The window guessed from sampled rows (empty when the sample is all zeros).
Window guessed_window(HHRows& hh) {
  const int stride = sample_stride(hh.rows());
  const auto w = guess_window(sample_rows<std::uint64_t>(hh, stride, 0), stride);
  return w ? Window{w->lo, w->hi} : Window{};
}

// The full pass: every row counted against the window.
Tally scan(HHRows& hh, const Window& w, std::vector<std::uint64_t>& keep) {
  Tally t;
  t.window = w;
  for (int r = 0; r < hh.rows(); ++r) {
    // Room for every value of this row, plus the vector kernel's overhang.
    if (keep.size() < t.kept + hh.cols() + 4) keep.resize(std::max(2 * keep.size(), t.kept + hh.cols() + 4));
    t.keep = keep.data();
    hh.tally_row(r, t);
  }
  return t;
}

// Whether the non-zero ranks lo..hi are all inside the tally's window.
bool covers(const Tally& t, std::size_t lo, std::size_t hi) {
  const std::size_t first = t.below - t.zeros;
  return first <= lo && hi < first + t.kept;
}

// The values of ranks r0 and r1 (r0 <= r1 <= r0 + 1) among v[0 .. n), all
// inside the window: a fine radix pass over the window narrows them to a
// few values before nth_element.
std::pair<std::uint64_t, std::uint64_t> select_pair(std::uint64_t* v, std::size_t n, const Window& w, std::size_t r0,
                                                    std::size_t r1, std::vector<std::uint32_t>& count) {
  const FineBins<std::uint64_t> bins(v, n, {w.lo, w.hi}, count);
  std::size_t k0 = r0, k1 = r1;
  const std::size_t b0 = bins.bin_of(k0), b1 = bins.bin_of(k1);
  // Bins b0..b1 are one range of bit patterns; compact them to the front
  // (writes never overtake reads).
  const std::uint64_t from = bins.first_key(b0);
  const std::uint64_t span = bins.last_key(b1) - from;
  std::size_t m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = v[i];
    v[m] = x;
    m += x - from <= span;
  }
  // Ranks inside the compacted set: bin b0's values all sort before b1's.
  const std::size_t i1 = b1 == b0 ? k1 : bins.count(b0) + k1;
  std::nth_element(v, v + k0, v + m);
  const std::uint64_t a = v[k0];
  const std::uint64_t b = i1 == k0 ? a : *std::min_element(v + k0 + 1, v + m);
  return {a, b};
}

// pywt's median with every value computed in double: a window guessed from
// sampled rows, or, when the screen already counted the non-zero values,
// an exact window straight away (the screen's window missed the median, so
// a guess from the same rows would likely miss too).
double exact_sigma(const LumaView& luma, ExactScratch& scratch, const Kernels& k,
                   std::optional<std::size_t> known_nonzero, NoiseSigmaStats& stats) {
  ++stats.exact_passes;
  HHRows hh(luma, scratch, k);
  Tally t;
  if (known_nonzero) {
    if (*known_nonzero == 0) return 0.0;
    ++stats.rescans;
    const auto [lo, hi] = median_ranks(*known_nonzero);
    t = scan(hh, exact_window(hh, lo, hi), scratch.keep);
  } else {
    t = scan(hh, guessed_window(hh), scratch.keep);
  }
  const std::size_t n = t.total - t.zeros;
  if (n == 0) return 0.0;
  const auto [lo, hi] = median_ranks(n);
  if (!covers(t, lo, hi)) {
    ++stats.rescans;
    t = scan(hh, exact_window(hh, lo, hi), scratch.keep);
  }

  const std::size_t first = t.below - t.zeros;
  const auto [a, b] = select_pair(t.keep, t.kept, t.window, lo - first, hi - first, scratch.bins);
  const double median = hi == lo ? from_bits(a) : (from_bits(a) + from_bits(b)) / 2.0;
  return median / kMadToSigma;
}

}  // namespace

double noise_sigma(const LumaView& luma, NoiseSigmaStats& stats) {
  if (luma.empty()) return 0.0;
  thread_local Scratch scratch;
  const Kernels& k = kernels();
  const ScreenOutcome screen = screened_sigma(luma, scratch.screen, k, stats);
  if (screen.sigma) return *screen.sigma;
  return exact_sigma(luma, scratch.exact, k, screen.nonzero, stats);
}

double noise_sigma_screen_bound() { return screen_bound(); }
double noise_sigma_screen_error(const LumaView& luma) { return screen_error(luma, kernels()); }

}  // namespace detail

double noise_sigma(const LumaView& luma) {
  detail::NoiseSigmaStats ignored;
  return detail::noise_sigma(luma, ignored);
}

}  // namespace focusmeter
