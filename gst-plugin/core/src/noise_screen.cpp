// The screen (noise_screen.h): |HH| in single precision, eight AVX2 lanes
// instead of four, and the exact recomputation of the few coefficients it
// cannot order. The portable kernels here are the definition the AVX2 ones
// (src/x86/noise_screen_avx2.cpp) follow operation for operation.
#include "noise_screen.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "db2.h"
#include "noise_hh.h"
#include "radix_window.h"

namespace focusmeter::detail {
namespace {

// The screen: |HH| in single precision.
//
// The screen filters the bytes y themselves (0..255, exact in float) with
// the taps rounded to float, in pywt's order, so a screened value S is about
// 255 |HH|; it stands for |HH| as
//   screened(S) = double(S) * (1/255),
// which never decreases as S grows (a product by a positive constant, and
// the key, S's bit pattern, orders like S).
//
// How far screened(S) can be from pywt's double a. Let u = 2^-24 (float's
// unit roundoff), H = sum |h_j| = 1.67303 (so H^2 = 2.7990), and
// R = sum_ij h_i h_j y_ij / 255 the exact real value both computations
// approximate. The float taps are within u |h_j| of the true ones. A sum of
// four products computed left to right is within gamma_4 = 4u/(1-4u) of the
// exact sum, relative to sum |h_j| |x_j| (Higham, Accuracy and Stability,
// eq. 3.5). So:
//  - vertical (summed as (h0 y0 + h1 y1) + (h2 y2 + h3 y3): each product
//    goes through at most three roundings, fewer than left to right, so
//    the same bound holds): |y| <= 255,
//    |V - v| <= (gamma_4 (1+u) + u) 255 H ~ 5u 255 H,
//    where v = sum_i h_i y_ij, and |V| <= 255 H (1 + 5u);
//  - horizontal: the rounding of the four products and sums (4u), the taps
//    (u) and the error carried from V (5u) give
//    |S - 255 |R|| <= 10u 255 H^2 (plus terms of order u^2, below 1e-11).
// So |S/255 - |R|| <= 10 u H^2 = 1.67e-6. pywt's a has the same kind of
// error in double (2^-53 instead of 2^-24, and the rounding of y * (1/255)):
// |a - |R|| <= 12 * 2^-53 * H^2 < 4e-15; screened() adds a relative 2^-52.
// Altogether |screened(S) - a| <= 1.67e-6. The code uses E = 2^-16 = 1.53e-5,
// a margin of 9 (the few double additions and subtractions of E below round
// by less than 1e-18, far inside it). tests/unit/noise_sigma_test.cpp
// measures the largest error on adversarial frames against 1.67e-6.
//
// Order statistics move no more than the values do, so the k-th smallest a
// lies within E of the k-th smallest screened value: that is what lets the
// screen narrow the median down to a few thousand exact recomputations.

constexpr double kScreenError = 1.0 / 65536;                         // E
constexpr double kScreenBound = 10.0 * 0x1p-24 * 1.67303 * 1.67303;  // the derivation's bound

double screened(std::uint32_t key) { return static_cast<double>(from_key(key)) * kInv255; }

// 255 E (exact in float). An exact zero screens at most this high, so the
// coefficients screened at or below it are the only ones that may be zeros.
constexpr float kNearZero = static_cast<float>(255.0 * kScreenError);
const std::uint32_t kNearZeroKey = key_of(kNearZero);
// The key of +infinity: above every screened value.
const std::uint32_t kInfinityKey = key_of(std::numeric_limits<float>::infinity());

// Column x of a split row. A branch, not (x % 2 ? odd : even)[x / 2]: GCC 12's
// C++ front end distributes that subscript over the two arms and, with
// -fsanitize=shift, signed-integer-overflow or integer-divide-by-zero, reads
// the index's saved value uninitialised in the second arm (wrong code; see
// docs/development.md, "Sanitizers").
float at(const SplitRow& v, int x) {
  if (x % 2) return v.odd[x / 2];
  return v.even[x / 2];
}

// The vertical high-pass of output row r, sum_i h_i y(2r+1-i), is summed
// as a head (taps 0 and 1, on source rows 2r+1 and 2r) plus a tail (taps 2
// and 3, on rows 2r-1 and 2r-2). Row r+1's tail is the same two taps on
// row r's head rows, so each source row is read and converted once, and
// only one row of tails is carried (the pass stays in L1).
inline void screen_vertical_at(float ya, float yb, float& tail, float& v) {
  float head = kHiF0 * ya;
  head += kHiF1 * yb;
  float next = kHiF2 * ya;
  next += kHiF3 * yb;
  v = head + tail;
  tail = next;
}

// The tail alone, for the first row and after a jump: the same operations
// as `next` above.
inline float screen_tail_at(float ya, float yb) {
  float t = kHiF2 * ya;
  t += kHiF3 * yb;
  return t;
}

}  // namespace

// --- Portable row kernels (kernels.h) -----------------------------------------
//
// The vertically filtered row is kept as two half rows, its even columns and
// its odd ones, so that the horizontal taps of outputs c..c+7 (columns
// 2c+1, 2c, 2c-1, 2c-2) are four plain runs of eight for the vector kernel:
// no shuffles, and the outputs come out in order.

// From column x (even) on. The rows never overlap; `omp simd` says so, as
// the compiler cannot tell float stores from byte loads apart otherwise.
void screen_vertical_portable(const std::uint8_t* a, const std::uint8_t* b, const SplitRow& tail, int x, int w,
                              const SplitRow& v) {
  const int j0 = x / 2, j1 = w / 2;
  float *te = tail.even, *to = tail.odd, *ve = v.even, *vo = v.odd;
#pragma omp simd
  for (int j = j0; j < j1; ++j) {
    screen_vertical_at(a[2 * j], b[2 * j], te[j], ve[j]);
    screen_vertical_at(a[2 * j + 1], b[2 * j + 1], to[j], vo[j]);
  }
  if (w % 2) screen_vertical_at(a[w - 1], b[w - 1], te[j1], ve[j1]);
}

// From column x (even) on.
void screen_tail_portable(const std::uint8_t* a, const std::uint8_t* b, int x, int w, const SplitRow& tail) {
  const int j0 = x / 2, j1 = w / 2;
  float *te = tail.even, *to = tail.odd;
#pragma omp simd
  for (int j = j0; j < j1; ++j) {
    te[j] = screen_tail_at(a[2 * j], b[2 * j]);
    to[j] = screen_tail_at(a[2 * j + 1], b[2 * j + 1]);
  }
  if (w % 2) te[j1] = screen_tail_at(a[w - 1], b[w - 1]);
}

// Screened keys of the interior outputs c in [c0, c1).
void screen_row_portable(const SplitRow& v, int c0, int c1, std::uint32_t* out) {
  const float *ve = v.even, *vo = v.odd;
#pragma omp simd
  for (int c = c0; c < c1; ++c) {
    float s = kHiF0 * vo[c];
    s += kHiF1 * ve[c];
    s += kHiF2 * vo[c - 1];
    s += kHiF3 * ve[c - 1];
    out[c] = key_of(s);
  }
}

// Counts live in locals: through `t` every store to keys[] could alias them.
void screen_tally_portable(const std::uint32_t* key, std::uint32_t base, int c0, int c1, ScreenTally& t) {
  const std::uint32_t lo = t.lo, hi = t.hi, near_zero = t.near_zero_key;
  std::uint32_t* keys = t.keys;
  std::uint32_t* pos = t.pos;
  std::size_t below = 0, kept = t.kept;
  for (int c = c0; c < c1; ++c) {
    const std::uint32_t k = key[c];
    const std::uint32_t at = base + static_cast<std::uint32_t>(c);
    below += k < lo;
    // Branchless: write every value, advance only past the ones inside.
    keys[kept] = k;
    pos[kept] = at;
    kept += (k >= lo) & (k <= hi);
    if (k <= near_zero) t.near_zero->push_back(at);
  }
  t.below += below;
  t.kept = kept;
  t.total += static_cast<std::size_t>(std::max(0, c1 - c0));
}

void note_near_zero(int mask, std::uint32_t at, std::vector<std::uint32_t>& out) {
  for (int lane = 0; lane < 8; ++lane)
    if (mask & (1 << lane)) out.push_back(at + static_cast<std::uint32_t>(lane));
}

// Of the kept keys from i on: how many lie below `lo`, and the positions of
// those in [lo, hi], appended to band[m ..). Returns the new m.
std::size_t split_band_portable(const ScreenTally& t, std::size_t i, std::uint32_t lo, std::uint32_t hi,
                                std::size_t& below, std::uint32_t* band, std::size_t m) {
  for (; i < t.kept; ++i) {
    const std::uint32_t k = t.keys[i];
    below += k < lo;
    band[m] = t.pos[i];
    m += (k >= lo) & (k <= hi);
  }
  return m;
}

namespace {

// The screened |HH| band, one output row at a time (HHRows' twin in float).
class ScreenRows {
 public:
  ScreenRows(const LumaView& luma, ScreenScratch& s, const Kernels& k) : luma_(luma), s_(s), k_(k) {
    w_ = luma.width();
    h_ = luma.height();
    rows_ = out_len(h_);
    cols_ = out_len(w_);
    c0_ = std::min(1, cols_);
    c1_ = std::max(c0_, std::min(cols_, w_ / 2));
    // Half rows of (w+1)/2, plus the AVX2 kernel's reach past them.
    half_ = static_cast<std::size_t>(w_ / 2 + 8);
    s_.ftail.resize(2 * half_);
    s_.fvert.resize(2 * half_);
    s_.keys.resize(static_cast<std::size_t>(cols_));
  }

  int rows() const { return rows_; }
  std::size_t cols() const { return static_cast<std::size_t>(cols_); }
  std::size_t total() const { return static_cast<std::size_t>(rows_) * cols(); }

  // Screened keys of output row r (cols() of them, in order).
  const std::uint32_t* row(int r) {
    const SplitRow v = vertical_row(r);
    std::uint32_t* out = s_.keys.data();
    k_.screen_row(v, c0_, c1_, out);
    borders(v, out);
    return out;
  }

  // Output row r counted into `t`.
  void tally_row(int r, ScreenTally& t) {
    const SplitRow v = vertical_row(r);
    const std::uint32_t base = static_cast<std::uint32_t>(r) * static_cast<std::uint32_t>(cols_);
    std::uint32_t* out = s_.keys.data();
    k_.screen_tally(v, c0_, c1_, base, out, t);
    borders(v, out);
    screen_tally_portable(out, base, 0, c0_, t);
    screen_tally_portable(out, base, c1_, cols_, t);
  }

 private:
  SplitRow split(std::vector<float>& buf) const { return {buf.data(), buf.data() + half_}; }

  // Vertical high-pass of output row r: source rows 2r+1, 2r (the head) and
  // 2r-1, 2r-2 (the tail, left by row r-1 unless this is a jump).
  SplitRow vertical_row(int r) {
    const SplitRow tail = split(s_.ftail);
    if (tail_row_ != r)
      k_.screen_tail(luma_.row(symmetric(2 * r - 1, h_)), luma_.row(symmetric(2 * r - 2, h_)), w_, tail);
    const SplitRow v = split(s_.fvert);
    k_.screen_vertical(luma_.row(symmetric(2 * r + 1, h_)), luma_.row(symmetric(2 * r, h_)), tail, w_, v);
    tail_row_ = r + 1;
    return v;
  }

  // Border columns: taps through the symmetric extension, in filter order.
  void borders(const SplitRow& v, std::uint32_t* out) const {
    for (int col = 0; col < cols_; ++col) {
      if (col == c0_ && c1_ > c0_) col = c1_;
      if (col >= cols_) break;
      float s = 0;
      for (int j = 0; j < 4; ++j) s += kHiF[j] * at(v, symmetric(2 * col + 1 - j, w_));
      out[col] = key_of(s);
    }
  }

  const LumaView& luma_;
  ScreenScratch& s_;
  const Kernels& k_;
  int w_, h_, rows_, cols_, c0_, c1_;
  std::size_t half_;
  int tail_row_ = -1;  // the output row whose tail s_.ftail holds
};

// Samples with more near-zero values than this share go to the exact pass:
// every near-zero value costs an exact recomputation on the screen.
constexpr std::size_t kNearZeroShare = 64;

// The screening window from sampled rows, as the exact pass guesses its own
// (radix_window.h: same rows, same rank margin; the near-zero values stand in
// for the zeros), widened by 3E on each side so that the band of 2E around
// the screened median fits in it even when the sample is the whole frame; or
// nothing when the screen would not pay: the median among near-zero values,
// or many of those.
std::optional<KeyRange<std::uint32_t>> guess_screen_window(ScreenRows& sr, int stride) {
  const RadixHistogram<std::uint32_t> hist = sample_rows<std::uint32_t>(sr, stride, kNearZeroKey);
  if (hist.unranked() * kNearZeroShare > hist.count()) return std::nullopt;
  const auto w = guess_window(hist, stride);
  if (!w) return std::nullopt;
  const float first = from_key(w->lo) - 3 * kNearZero;
  const float last = from_key(w->hi) + 3 * kNearZero;
  if (!(first > 4 * kNearZero)) return std::nullopt;
  return KeyRange<std::uint32_t>{key_of(first), key_of(last)};
}

// The full screening pass: every row counted against the window. Stops
// early (false) once the near-zero values are too many to recompute.
bool screen_scan(ScreenRows& sr, KeyRange<std::uint32_t> window, ScreenScratch& s, ScreenTally& t) {
  t = ScreenTally{};
  t.lo = window.lo;
  t.hi = window.hi;
  t.near_zero_key = kNearZeroKey;
  s.near_zero.clear();
  t.near_zero = &s.near_zero;
  const std::size_t limit = sr.total() / (kNearZeroShare / 2) + 64;
  const std::size_t room = sr.cols() + 8;
  for (int r = 0; r < sr.rows(); ++r) {
    if (s.cand_keys.size() < t.kept + room) {
      const std::size_t size = std::max(2 * s.cand_keys.size(), t.kept + room);
      s.cand_keys.resize(size);
      s.cand_pos.resize(size);
    }
    t.keys = s.cand_keys.data();
    t.pos = s.cand_pos.data();
    sr.tally_row(r, t);
    if (s.near_zero.size() > limit) return false;
  }
  return true;
}

double exact_hh_at(const LumaView& luma, std::size_t cols, std::uint32_t pos, const Kernels& k) {
  const std::uint32_t n = static_cast<std::uint32_t>(cols);  // positions are 32-bit, so is cols
  return exact_hh(luma, static_cast<int>(pos / n), static_cast<int>(pos % n), k);
}

// The smallest key in [lo, hi] whose screened value is at least x (hi + 1
// when none is): screened() never decreases with the key.
std::uint64_t first_key_at_least(double x, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t end = hi + 1;
  while (lo < end) {
    const std::uint64_t mid = lo + (end - lo) / 2;
    if (screened(static_cast<std::uint32_t>(mid)) >= x)
      end = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

// The keys of ranks r0 <= r1 among the kept keys, to within a bin: a radix
// count over the window, and the first key of r0's bin and the last of r1's.
std::pair<std::uint32_t, std::uint32_t> screened_ranks(const ScreenTally& t, std::size_t r0, std::size_t r1,
                                                       std::vector<std::uint32_t>& count) {
  const FineBins<std::uint32_t> bins(t.keys, t.kept, {t.lo, t.hi}, count);
  const std::uint32_t first = bins.first_key(bins.bin_of(r0));
  const std::uint32_t last = std::min(t.hi, bins.last_key(bins.bin_of(r1)));
  return {first, last};
}

// pywt's median from a screening pass, or nothing when the window missed it.
// `zeros` is the exact count of zeros (all among the near-zero keys, which
// are all below the window), so the median's ranks among all values, zeros
// first, are k0 and k1.
std::optional<double> screened_median(const LumaView& luma, const ScreenTally& t, std::size_t zeros, ScreenScratch& s,
                                      const Kernels& k, NoiseSigmaStats& stats) {
  const std::size_t cols = static_cast<std::size_t>(out_len(luma.width()));
  const auto [lo, hi] = median_ranks(t.total - zeros);
  const std::size_t k0 = lo + zeros, k1 = hi + zeros;
  if (k0 < t.below || k1 >= t.below + t.kept) return std::nullopt;

  // The screened values of ranks k0 and k1 lie in [first, last], so pywt's
  // lie in [a0, a1]: any value screened more than E outside that interval
  // is certainly outside it (below a0 or above a1), and the ones inside
  // need the exact value.
  const auto [first, last] = screened_ranks(t, k0 - t.below, k1 - t.below, s.bins);
  const double a0 = screened(first) - kScreenError;
  const double a1 = screened(last) + kScreenError;
  const double band_lo = a0 - kScreenError, band_hi = a1 + kScreenError;
  // The keys outside the window must be certain too.
  if (band_lo < screened(t.lo) || band_hi > screened(t.hi)) return std::nullopt;
  const std::uint64_t key_lo = first_key_at_least(band_lo, t.lo, t.hi);
  const std::uint64_t key_hi = first_key_at_least(std::nextafter(band_hi, INFINITY), t.lo, t.hi) - 1;

  // Below a0: everything below the window, the kept keys below the band,
  // and the recomputed values below a0.
  std::size_t below = t.below;
  s.band.resize(t.kept + 8);
  const std::size_t m =
      k.split_band(t, static_cast<std::uint32_t>(key_lo), static_cast<std::uint32_t>(key_hi), below, s.band.data());
  stats.recomputed += m;
  s.exact.resize(m);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double a = exact_hh_at(luma, cols, s.band[i], k);
    below += a < a0;
    // Branchless: about half of them are kept.
    s.exact[kept] = a;
    kept += (a >= a0) & (a <= a1);
  }
  // Cannot miss if the bound holds; checked all the same.
  if (k0 < below || k1 - below >= kept) return std::nullopt;
  const auto v = s.exact.begin();
  const auto end = v + static_cast<std::ptrdiff_t>(kept);
  std::nth_element(v, v + static_cast<std::ptrdiff_t>(k0 - below), end);
  const double x0 = v[static_cast<std::ptrdiff_t>(k0 - below)];
  if (k1 == k0) return x0 / kMadToSigma;
  const double x1 = *std::min_element(v + static_cast<std::ptrdiff_t>(k0 - below) + 1, end);
  return (x0 + x1) / 2.0 / kMadToSigma;
}

}  // namespace

ScreenOutcome screened_sigma(const LumaView& luma, ScreenScratch& s, const Kernels& k, NoiseSigmaStats& stats) {
  ScreenRows sr(luma, s, k);
  // Positions are 32-bit.
  if (sr.total() > std::numeric_limits<std::uint32_t>::max()) return {};
  const auto window = guess_screen_window(sr, sample_stride(sr.rows()));
  if (!window) return {};
  ScreenTally t;
  if (!screen_scan(sr, *window, s, t)) return {};
  std::size_t zeros = 0;
  for (std::uint32_t pos : s.near_zero) zeros += exact_hh_at(luma, sr.cols(), pos, k) == 0;
  stats.recomputed += s.near_zero.size();
  ScreenOutcome out;
  out.nonzero = t.total - zeros;
  out.sigma = *out.nonzero == 0 ? std::optional<double>(0.0) : screened_median(luma, t, zeros, s, k, stats);
  return out;
}

double screen_bound() { return kScreenBound; }

double screen_error(const LumaView& luma, const Kernels& k) {
  if (luma.empty()) return 0.0;
  ScreenScratch s;
  ScreenRows sr(luma, s, k);
  ScreenTally t;
  // A window of every key: each value is kept with its position.
  screen_scan(sr, {0, kInfinityKey}, s, t);
  double worst = 0;
  for (std::size_t i = 0; i < t.kept; ++i)
    worst = std::max(worst, std::fabs(screened(t.keys[i]) - exact_hh_at(luma, sr.cols(), t.pos[i], k)));
  return worst;
}

}  // namespace focusmeter::detail
