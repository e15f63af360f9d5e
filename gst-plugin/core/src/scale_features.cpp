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
#include "simd.h"

namespace focusmeter {
namespace {

// 2x2 box average with rounding; odd last row/column dropped.
struct Plane {
  std::vector<std::uint8_t> pixels;
  int width = 0, height = 0;
  LumaView view() const { return LumaView(pixels.data(), width, height, width); }
};

FOCUSMETER_TARGET_CLONES
void halve_row(const std::uint8_t* a, const std::uint8_t* b, int w2, std::uint8_t* out) {
  for (int x = 0; x < w2; ++x)
    out[x] = static_cast<std::uint8_t>((a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1] + 2) >> 2);
}

Plane halve(const LumaView& in) {
  Plane p;
  p.width = in.width() / 2;
  p.height = in.height() / 2;
  p.pixels.resize(static_cast<std::size_t>(p.width) * p.height);
  for (int y = 0; y < p.height; ++y)
    halve_row(in.row(2 * y), in.row(2 * y + 1), p.width, p.pixels.data() + static_cast<std::size_t>(y) * p.width);
  return p;
}

// Per-pixel |Laplacian| and Scharr magnitude of one row (integer units, as in
// gradient_stats.cpp: `u`, `m`, `d` padded by one reflected pixel).
FOCUSMETER_TARGET_CLONES
void lap_and_mag(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int w, std::uint16_t* lap,
                 std::uint16_t* mag) {
  for (int x = 0; x < w; ++x) {
    const std::int32_t l = 4 * m[x] - m[x - 1] - m[x + 1] - u[x] - d[x];
    lap[x] = static_cast<std::uint16_t>(l < 0 ? -l : l);
    const std::int32_t gx = 3 * (u[x + 1] - u[x - 1]) + 10 * (m[x + 1] - m[x - 1]) + 3 * (d[x + 1] - d[x - 1]);
    const std::int32_t gy = 3 * (d[x - 1] - u[x - 1]) + 10 * (d[x] - u[x]) + 3 * (d[x + 1] - u[x + 1]);
    mag[x] = static_cast<std::uint16_t>(std::sqrt(static_cast<float>(gx * gx + gy * gy)));
  }
}

}  // namespace

ScaleStats laplacian_scales(const LumaView& luma) {
  ScaleStats s;
  s.full = gradient_stats(luma).laplacian_variance;
  if (luma.width() < 2 || luma.height() < 2) return s;
  const Plane half = halve(luma);
  s.half = gradient_stats(half.view()).laplacian_variance;
  if (half.width < 2 || half.height < 2) return s;
  const Plane quarter = halve(half.view());
  s.quarter = gradient_stats(quarter.view()).laplacian_variance;
  return s;
}

double edge_sharpness(const LumaView& luma, double sigma, double fraction) {
  if (luma.empty()) return 0;
  const int w = luma.width();
  const int h = luma.height();
  const std::size_t n = static_cast<std::size_t>(w) * h;
  std::vector<std::uint16_t> lap(n), mag(n);

  const std::size_t padded = static_cast<std::size_t>(w) + 2;
  std::vector<std::int16_t> rows(3 * padded);
  auto load = [&](int r, int slot) -> const std::int16_t* {
    r = r < 0 ? 0 : (r >= h ? h - 1 : r);  // 'reflect' for a one-pixel reach
    std::int16_t* dst = rows.data() + static_cast<std::size_t>(slot) * padded;
    const std::uint8_t* src = luma.row(r);
    for (int x = 0; x < w; ++x) dst[x + 1] = src[x];
    dst[0] = src[0];
    dst[w + 1] = src[w - 1];
    return dst + 1;
  };
  for (int y = 0; y < h; ++y) {
    const std::int16_t* u = load(y - 1, 0);
    const std::int16_t* m = load(y, 1);
    const std::int16_t* d = load(y + 1, 2);
    lap_and_mag(u, m, d, w, lap.data() + static_cast<std::size_t>(y) * w, mag.data() + static_cast<std::size_t>(y) * w);
  }

  // The magnitude above which the strongest `fraction` of pixels lie.
  constexpr int kBins = 6000;  // |Scharr| <= sqrt(2) * 16 * 255 < 5771
  std::vector<std::size_t> hist(kBins, 0);
  for (std::uint16_t v : mag) ++hist[v];
  const std::size_t want = std::max<std::size_t>(1, static_cast<std::size_t>(fraction * static_cast<double>(n)));
  int cut = kBins - 1;
  for (std::size_t above = 0; cut > 0; --cut) {
    above += hist[cut];
    if (above >= want) break;
  }
  cut = std::max(cut, 1);  // never divide by a zero gradient

  // Energies over the selected pixels, in grey levels: the Laplacian, and
  // the gradient in central-difference units (the Scharr kernel answers 32
  // to a unit ramp).
  double lap2 = 0, grad2 = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (mag[i] < cut) continue;
    lap2 += static_cast<double>(lap[i]) * lap[i];
    grad2 += static_cast<double>(mag[i]) * mag[i] / (32.0 * 32.0);
    ++count;
  }
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
