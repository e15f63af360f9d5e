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
#include "kernels.h"
#include "padded_rows.h"

namespace focusmeter {
namespace {

// 2x2 box average with rounding; odd last row/column dropped.
struct Plane {
  std::vector<std::uint8_t> pixels;
  int width = 0, height = 0;
  LumaView view() const { return LumaView(pixels.data(), width, height, width); }
};

Plane halve(const LumaView& in) {
  Plane p;
  p.width = in.width() / 2;
  p.height = in.height() / 2;
  p.pixels.resize(static_cast<std::size_t>(p.width) * p.height);
  const auto halve_row = detail::kernels().halve_row;
  for (int y = 0; y < p.height; ++y)
    halve_row(in.row(2 * y), in.row(2 * y + 1), p.width, p.pixels.data() + static_cast<std::size_t>(y) * p.width);
  return p;
}

}  // namespace

ScaleStats laplacian_scales(const LumaView& luma) {
  return laplacian_scales(luma, gradient_stats(luma).laplacian_variance);
}

ScaleStats laplacian_scales(const LumaView& luma, double full_variance) {
  ScaleStats s;
  s.full = full_variance;
  if (luma.width() < 2 || luma.height() < 2) return s;
  const Plane half = halve(luma);
  s.half = gradient_stats(half.view()).laplacian_variance;
  if (half.width < 2 || half.height < 2) return s;
  const Plane quarter = halve(half.view());
  s.quarter = gradient_stats(quarter.view()).laplacian_variance;
  return s;
}

namespace {

// The scratch planes of edge_sharpness, kept per thread: a 1080p frame's
// are 12 MB, which would otherwise be allocated and zeroed per call.
struct EdgeScratch {
  std::vector<std::uint16_t> lap;
  std::vector<std::uint32_t> mag;
};

// The selection threshold of edge_sharpness: the squared magnitude at the
// start of the 1024-wide bin that holds the `want`-th largest of the
// sampled values (every other pixel of every other row), at least 1. That
// is a histogram of 32 513 bins walked from the top; the same bin is found
// here in two small passes, a coarse histogram (bins of 2^16) and then a
// fine one (bins of 2^10) inside the coarse bin that holds the value, so
// nothing large is cleared per call.
std::uint32_t selection_cut(const std::uint32_t* mag, int w, int h, std::size_t want) {
  constexpr int kFine = 10, kCoarse = 16;
  constexpr int kCoarseBins = (2 * 4080 * 4080 >> kCoarse) + 1;  // |gx|, |gy| <= 16 * 255
  constexpr int kFinePerCoarse = 1 << (kCoarse - kFine);
  std::size_t coarse[kCoarseBins] = {};
  for (int y = 0; y < h; y += 2) {
    const std::uint32_t* row = mag + static_cast<std::size_t>(y) * w;
    for (int x = 0; x < w; x += 2) ++coarse[row[x] >> kCoarse];
  }
  int cb = kCoarseBins - 1;
  std::size_t above = 0;  // sampled values in bins above cb
  for (; cb > 0 && above + coarse[cb] < want; --cb) above += coarse[cb];
  std::size_t fine[kFinePerCoarse] = {};
  for (int y = 0; y < h; y += 2) {
    const std::uint32_t* row = mag + static_cast<std::size_t>(y) * w;
    for (int x = 0; x < w; x += 2)
      if (static_cast<int>(row[x] >> kCoarse) == cb) ++fine[(row[x] >> kFine) & (kFinePerCoarse - 1)];
  }
  int fb = kFinePerCoarse - 1;
  for (; fb > 0 && above + fine[fb] < want; --fb) above += fine[fb];
  // Never select a zero gradient.
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(cb * kFinePerCoarse + fb) << kFine);
}

}  // namespace

double edge_sharpness(const LumaView& luma, double sigma, double fraction) {
  if (luma.empty()) return 0;
  const int w = luma.width();
  const int h = luma.height();
  const std::size_t n = static_cast<std::size_t>(w) * h;
  thread_local EdgeScratch scratch;
  if (scratch.lap.size() < n) {
    scratch.lap.resize(n);
    scratch.mag.resize(n);
  }
  std::uint16_t* lap = scratch.lap.data();
  std::uint32_t* mag = scratch.mag.data();  // squared Scharr magnitude

  const detail::Kernels& k = detail::kernels();
  detail::PaddedRows rows(luma, k);  // 3x3 window, as in gradient_stats.cpp
  for (int y = 0; y < h; ++y) {
    const std::int16_t* d = rows.row(y + 1);  // lower row first: never evicts a needed row
    const std::int16_t* m = rows.row(y);
    const std::int16_t* u = rows.row(y - 1);
    k.lap_and_mag(u, m, d, w, lap + static_cast<std::size_t>(y) * w, mag + static_cast<std::size_t>(y) * w);
  }

  // The squared magnitude above which the strongest `fraction` of pixels
  // lie, from every other pixel of every other row: a quarter of the frame
  // is plenty for a percentile.
  const std::size_t sampled = static_cast<std::size_t>((h + 1) / 2) * static_cast<std::size_t>((w + 1) / 2);
  const std::size_t want = std::max<std::size_t>(1, static_cast<std::size_t>(fraction * static_cast<double>(sampled)));
  const std::uint32_t cut = selection_cut(mag, w, h, want);

  // Energies over the selected pixels, in grey levels: the Laplacian, and
  // the gradient in central-difference units (the Scharr kernel answers 32
  // to a unit ramp).
  std::int64_t lap_sq = 0, mag_sq = 0, selected = 0;
  k.sums_above(lap, mag, n, cut, lap_sq, mag_sq, selected);
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

double edge_sharpness_2x(const LumaView& luma, double sigma) {
  if (luma.width() < 2 || luma.height() < 2) return 0;
  const Plane half = halve(luma);
  return edge_sharpness(half.view(), sigma / 2);
}

}  // namespace focusmeter
