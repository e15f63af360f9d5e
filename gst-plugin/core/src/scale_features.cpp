// Multi-scale Laplacian energy and edge sharpness: focus measures that do
// not scale with how much texture or contrast a scene has.
//
// Defocus removes the finest detail first. Comparing the Laplacian energy of
// the frame with that of its 2x and 4x box downscales asks "how much of the
// detail this scene has at coarse scales survives at the finest one?" - a
// ratio, so a busy scene and a plain one can be judged alike. Edge sharpness
// asks the same at the strongest edges only, where sensor noise matters least:
// a sharp step has a Laplacian as large as its gradient, a blurred one a much
// smaller one.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "focusmeter/features.h"
#include "frame_planes.h"
#include "kernels.h"
#include "padded_rows.h"

namespace focusmeter {
namespace detail {

BytePlane halve(const LumaView& in) {
  BytePlane p;
  p.width = in.width() / 2;
  p.height = in.height() / 2;
  p.pixels.resize(static_cast<std::size_t>(p.width) * p.height);
  const auto halve_row = kernels().halve_row;
  for (int y = 0; y < p.height; ++y)
    halve_row(in.row(2 * y), in.row(2 * y + 1), p.width, p.pixels.data() + static_cast<std::size_t>(y) * p.width);
  return p;
}

}  // namespace detail

using detail::BytePlane;
using detail::halve;

ScaleStats laplacian_scales(const LumaView& luma) {
  return laplacian_scales(luma, gradient_stats(luma).laplacian_variance);
}

ScaleStats laplacian_scales(const LumaView& luma, double full_variance) {
  ScaleStats s;
  s.full = full_variance;
  if (luma.width() < 2 || luma.height() < 2) return s;
  const BytePlane half = halve(luma);
  s.half = gradient_stats(half.view()).laplacian_variance;
  if (half.width < 2 || half.height < 2) return s;
  const BytePlane quarter = halve(half.view());
  s.quarter = gradient_stats(quarter.view()).laplacian_variance;
  return s;
}

namespace detail {

// The selection threshold of edge_sharpness: the squared magnitude at the
// start of the 1024-wide bin that holds the `want`-th largest of the
// sampled values (every other pixel of every other row of `r`), at least 1.
// That is a histogram of 32 513 bins walked from the top; two ways find the
// same bin.

// Regions of many samples (a frame): two small passes, a coarse histogram
// (bins of 2^16) and then a fine one (bins of 2^10) inside the coarse bin
// that holds the value, so nothing large is cleared per call.
std::uint32_t edge_cut_by_histogram(const GradientPlanes& p, const Rect& r, std::size_t want) {
  constexpr int kFine = 10, kCoarse = 16;
  constexpr int kCoarseBins = (2 * 4080 * 4080 >> kCoarse) + 1;  // |gx|, |gy| <= 16 * 255
  constexpr int kFinePerCoarse = 1 << (kCoarse - kFine);
  // Four histograms for alternate samples, added at the end: most samples
  // fall in the lowest bin, and one histogram would make every increment
  // wait for the previous one.
  std::uint32_t part[4][kCoarseBins] = {};
  for (int y = r.top; y < r.top + r.height; y += 2) {
    const std::uint32_t* row = p.mag_row(y);
    int x = r.left;
    for (; x + 6 < r.left + r.width; x += 8) {
      ++part[0][row[x] >> kCoarse];
      ++part[1][row[x + 2] >> kCoarse];
      ++part[2][row[x + 4] >> kCoarse];
      ++part[3][row[x + 6] >> kCoarse];
    }
    for (; x < r.left + r.width; x += 2) ++part[0][row[x] >> kCoarse];
  }
  std::size_t coarse[kCoarseBins];
  for (int b = 0; b < kCoarseBins; ++b)
    coarse[b] = std::size_t{part[0][b]} + std::size_t{part[1][b]} + std::size_t{part[2][b]} + part[3][b];
  int cb = kCoarseBins - 1;
  std::size_t above = 0;  // sampled values in bins above cb
  for (; cb > 0 && above + coarse[cb] < want; --cb) above += coarse[cb];
  std::size_t fine[kFinePerCoarse] = {};
  for (int y = r.top; y < r.top + r.height; y += 2) {
    const std::uint32_t* row = p.mag_row(y);
    for (int x = r.left; x < r.left + r.width; x += 2)
      if (static_cast<int>(row[x] >> kCoarse) == cb) ++fine[(row[x] >> kFine) & (kFinePerCoarse - 1)];
  }
  int fb = kFinePerCoarse - 1;
  for (; fb > 0 && above + fine[fb] < want; --fb) above += fine[fb];
  // Never select a zero gradient.
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(cb * kFinePerCoarse + fb) << kFine);
}

// Regions of few samples (a focus-map tile: about 8 000 at 1080p, want
// about 80): the `want`-th largest value itself, the least of the `want`
// largest (TopValues, kernels.h). Most samples are below it and cost one
// comparison (eight at a time in the AVX2 kernel); two histogram passes
// cost more per tile than this whole selection. The value's bin is the
// histogram's: the bin holding the want-th largest, whatever the ties.
std::uint32_t edge_cut_by_heap(const GradientPlanes& p, const Rect& r, std::size_t want) {
  thread_local std::vector<std::uint32_t> heap;
  // `want` zeros to start: they sort below every sample, and there are at
  // least `want` samples, so the want-th largest is unchanged.
  heap.assign(want, 0);
  TopValues top{heap.data(), heap.size(), 0};
  const auto top_row = kernels().top_row;
  for (int y = r.top; y < r.top + r.height; y += 2) top_row(p.mag_row(y) + r.left, r.width, top);
  return std::max<std::uint32_t>(1, top.least >> 10 << 10);
}

namespace {

// The heap wins while `want` stays small; a frame's histogram passes cost
// the same whatever the order of its values (a heap's cost grows with how
// often the bar rises, at worst on values that only increase).
constexpr std::size_t kHeapMaxSamples = 1 << 16;

std::uint32_t selection_cut(const GradientPlanes& p, const Rect& r, std::size_t sampled, std::size_t want) {
  return sampled <= kHeapMaxSamples ? edge_cut_by_heap(p, r, want) : edge_cut_by_histogram(p, r, want);
}

}  // namespace

void top_values_add(TopValues& top, std::uint32_t v) {
  // Replace the least and sift it down (a min-heap: each parent <= its children).
  std::uint32_t* h = top.heap;
  const std::size_t n = top.size;
  std::size_t i = 0;
  for (;;) {
    const std::size_t l = 2 * i + 1;
    if (l >= n) break;
    const std::size_t c = l + 1 < n && h[l + 1] < h[l] ? l + 1 : l;
    if (h[c] >= v) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = v;
  top.least = h[0];
}

void top_row_portable(const std::uint32_t* row, int x, int n, TopValues& top) {
  for (; x < n; x += 2)
    if (row[x] > top.least) top_values_add(top, row[x]);
}

void gradient_planes(const LumaView& luma, GradientPlanes& out) { gradient_planes(luma, 0, luma.height(), out); }

void gradient_planes(const LumaView& luma, int top, int bottom, GradientPlanes& out) {
  const int w = luma.width();
  out.width = w;
  out.height = bottom - top;
  out.top = top;
  const std::size_t n = static_cast<std::size_t>(w) * out.height;
  // resize() keeps the storage of a reused object: zeroing happens once.
  if (out.lap.size() < n) {
    out.lap.resize(n);
    out.mag.resize(n);
  }
  if (n == 0) return;
  const Kernels& k = kernels();
  PaddedRows rows(luma, k);  // 3x3 window, as in gradient_stats.cpp
  for (int y = top; y < bottom; ++y) {
    const std::int16_t* d = rows.row(y + 1);  // lower row first: never evicts a needed row
    const std::int16_t* m = rows.row(y);
    const std::int16_t* u = rows.row(y - 1);
    const std::size_t at = static_cast<std::size_t>(y - top) * w;
    k.lap_and_mag(u, m, d, w, out.lap.data() + at, out.mag.data() + at);
  }
}

double edge_sharpness_in(const GradientPlanes& p, const Rect& r, double sigma, double fraction) {
  if (r.width <= 0 || r.height <= 0) return 0;
  // The squared magnitude above which the strongest `fraction` of pixels
  // lie, from every other pixel of every other row: a quarter of the
  // pixels is plenty for a percentile.
  const std::size_t sampled =
      static_cast<std::size_t>((r.height + 1) / 2) * static_cast<std::size_t>((r.width + 1) / 2);
  const std::size_t want = std::max<std::size_t>(1, static_cast<std::size_t>(fraction * static_cast<double>(sampled)));
  const std::uint32_t cut = selection_cut(p, r, sampled, want);

  // Energies over the selected pixels, in grey levels: the Laplacian, and
  // the gradient in central-difference units (the Scharr kernel answers 32
  // to a unit ramp).
  std::int64_t lap_sq = 0, mag_sq = 0, selected = 0;
  const Kernels& k = kernels();
  if (r.left == 0 && r.width == p.width) {  // whole rows: one run
    const std::size_t at = static_cast<std::size_t>(r.top - p.top) * p.width;
    k.sums_above(p.lap.data() + at, p.mag.data() + at, static_cast<std::size_t>(r.height) * p.width, cut, lap_sq,
                 mag_sq, selected);
  } else {
    for (int y = r.top; y < r.top + r.height; ++y)
      k.sums_above(p.lap_row(y) + r.left, p.mag_row(y) + r.left, static_cast<std::size_t>(r.width), cut, lap_sq, mag_sq,
                   selected);
  }
  const double count = static_cast<double>(selected);
  const double lap2 = static_cast<double>(lap_sq);
  const double grad2 = static_cast<double>(mag_sq) / (32.0 * 32.0);  // mag is already squared
  if (count == 0) return 0;
  // Remove what white noise of deviation sigma adds: 20 sigma^2 to the
  // Laplacian (its taps squared sum to 20), 2 * 236/1024 sigma^2 to the
  // squared gradient (two Scharr components, taps squared sum to 236).
  const double s2 = (sigma * 255.0) * (sigma * 255.0);
  const double l = std::max(0.0, lap2 / count - 20.0 * s2);
  const double g = std::max(1e-12, grad2 / count - 2.0 * 236.0 / 1024.0 * s2);
  return std::sqrt(l / g);
}

void frame_planes(const LumaView& luma, FramePlanes& out) {
  out.luma = luma;
  out.half = luma.width() >= 2 && luma.height() >= 2 ? halve(luma) : BytePlane{};
  gradient_planes(out.half.view(), out.half_g);
  out.quarter = out.half.width >= 2 && out.half.height >= 2 ? halve(out.half.view()) : BytePlane{};
  gradient_planes(out.quarter.view(), out.quarter_g);
}

}  // namespace detail

double edge_sharpness(const LumaView& luma, double sigma, double fraction) {
  if (luma.empty()) return 0;
  thread_local detail::GradientPlanes planes;  // a 1080p frame's are 12 MB: allocated once per thread
  detail::gradient_planes(luma, planes);
  return detail::edge_sharpness_in(planes, Rect{0, 0, luma.width(), luma.height()}, sigma, fraction);
}

double edge_sharpness_2x(const LumaView& luma, double sigma) {
  if (luma.width() < 2 || luma.height() < 2) return 0;
  const BytePlane half = halve(luma);
  return edge_sharpness(half.view(), sigma / 2);
}

}  // namespace focusmeter
