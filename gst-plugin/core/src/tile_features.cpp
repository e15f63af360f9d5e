// The focus map's tile features from shared whole-frame passes
// (tile_features.h says what differs from cutting each tile out as a frame).
#include "tile_features.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "feature_rules.h"
#include "kernels.h"
#include "reflect.h"

namespace focusmeter::detail {
namespace {

double ratio(std::int64_t d, std::int64_t v) {
  return d == 0 ? 1.0 : static_cast<double>(d - v) / static_cast<double>(d);
}

// Population variance from integer sums, exact until the final division.
double variance(std::int64_t sum, std::int64_t sum_sq, std::int64_t n) {
  const __int128 num = static_cast<__int128>(sum_sq) * n - static_cast<__int128>(sum) * sum;
  return static_cast<double>(num) / (static_cast<double>(n) * static_cast<double>(n));
}

// The rectangle of a downscale (by 2^levels) that tile `r` covers: its edges
// halved (floor) as often, clipped to the plane. Adjacent tiles' rectangles
// share their edges, so they still cover the plane exactly once.
Rect scaled(const Rect& r, int levels, int width, int height) {
  const int l = std::min(r.left >> levels, width), t = std::min(r.top >> levels, height);
  const int right = std::min((r.left + r.width) >> levels, width);
  const int bottom = std::min((r.top + r.height) >> levels, height);
  return Rect{l, t, std::max(0, right - l), std::max(0, bottom - t)};
}

// The variance of the Laplacian over `r` of a gradient plane, Y/255 units.
double laplacian_variance_in(const GradientPlanes& g, const Rect& r) {
  if (r.width <= 0 || r.height <= 0) return 0;
  std::int64_t sum = 0, sum_sq = 0;
  const auto lap_sums = kernels().lap_sums;
  for (int y = r.top; y < r.top + r.height; ++y) lap_sums(g.lap_row(y) + r.left, r.width, sum, sum_sq);
  return variance(sum, sum_sq, static_cast<std::int64_t>(r.width) * r.height) / (255.0 * 255.0);
}

// gradient_stats (features.h) of a tile `r` from its sums.
GradientStats stats_of(const TileSums& t, const Rect& r) {
  GradientStats s;
  const std::int64_t n = static_cast<std::int64_t>(r.width) * r.height;
  if (n == 0) return s;
  const double nd = static_cast<double>(n);
  constexpr double k255 = 255.0, kScharr = 16.0 * 255.0;
  s.laplacian_variance = variance(t.lap_sum, t.lap_sq, n) / (k255 * k255);
  s.laplacian_max = t.lap_max / k255;
  const double mean_sq = t.mag_sum / (2.0 * nd * kScharr * kScharr);
  const double mean = t.mag_root / (std::sqrt(2.0) * kScharr * nd);
  s.scharr_variance = std::max(0.0, mean_sq - mean * mean);
  s.brightness = static_cast<double>(t.luma_sum) / nd / k255;
  s.contrast = std::sqrt(variance(t.luma_sum, t.luma_sq, n)) / k255;
  return s;
}

bool wants(const FeatureMask& m, Feature f) { return m.test(static_cast<std::size_t>(f)); }

}  // namespace

double BlurSums::value(int width, int height) const {
  if (width < 2 && height < 2) return 1.0;
  return std::max(height >= 2 ? ratio(vd, vv) : 0.0, width >= 2 ? ratio(hd, hv) : 0.0);
}

void tile_blur(const LumaView& luma, const TileGrid& grid, TileBlur& out) {
  out.tiles.assign(static_cast<std::size_t>(grid.count()), BlurSums{});
  out.frame = BlurSums{};
  const int w = luma.width(), h = luma.height();
  if (grid.count() == 0) return;
  const auto step = kernels().blur_step;
  // Column edges of the tiles, and the tile row of each frame row.
  std::vector<int> x_edge(static_cast<std::size_t>(grid.cols) + 1);
  for (int c = 0; c <= grid.cols; ++c) x_edge[c] = c < grid.cols ? grid.tile(c, 0).left : w;
  std::vector<std::uint8_t> pad(static_cast<std::size_t>(w) + 11);
  int row = 0;
  for (int y = 0; y < h; ++y) {
    while (row + 1 < grid.rows && grid.tile(0, row + 1).top <= y) ++row;
    const bool tile_top = grid.tile(0, row).top == y;
    BlurSums* tiles = out.tiles.data() + static_cast<std::size_t>(row) * grid.cols;
    // Vertical differences (row y against y - 1): the tile's unless y is
    // its first row, where the difference crosses into the tile above.
    if (y >= 1) {
      const std::uint8_t* cur = luma.row(y);
      const std::uint8_t* prev = luma.row(y - 1);
      const std::uint8_t* ahead = luma.row(reflect(y + 5, h));
      const std::uint8_t* behind = luma.row(reflect(y - 6, h));
      for (int c = 0; c < grid.cols; ++c) {
        const int x0 = x_edge[c], n = x_edge[c + 1] - x0;
        std::int64_t d = 0, v = 0;
        step(cur + x0, prev + x0, ahead + x0, behind + x0, n, d, v);
        out.frame.vd += d;
        out.frame.vv += v;
        if (!tile_top) {
          tiles[c].vd += d;
          tiles[c].vv += v;
        }
      }
    }
    // Horizontal differences along the row, padded with its reflection;
    // a tile's first column differs against the tile to its left.
    if (w >= 2) {
      const std::uint8_t* src = luma.row(y);
      for (int x = -6; x < 0; ++x) pad[x + 6] = src[reflect(x, w)];
      std::memcpy(pad.data() + 6, src, static_cast<std::size_t>(w));
      for (int x = w; x < w + 5; ++x) pad[x + 6] = src[reflect(x, w)];
      const std::uint8_t* p = pad.data() + 6;
      for (int c = 0; c < grid.cols; ++c) {
        const int x0 = x_edge[c], n = x_edge[c + 1] - x0;
        if (x0 >= 1) {  // the seam: the frame's only
          step(p + x0, p + x0 - 1, p + x0 + 5, p + x0 - 6, 1, out.frame.hd, out.frame.hv);
        }
        if (n < 2) continue;
        std::int64_t d = 0, v = 0;
        step(p + x0 + 1, p + x0, p + x0 + 6, p + x0 - 5, n - 1, d, v);
        out.frame.hd += d;
        out.frame.hv += v;
        tiles[c].hd += d;
        tiles[c].hv += v;
      }
    }
  }
}

void band_sums(const FramePlanes& p, const TileGrid& grid, int row, std::vector<TileSums>& out) {
  out.assign(static_cast<std::size_t>(grid.cols), TileSums{});
  if (grid.count() == 0) return;
  const auto tile_row = kernels().tile_row;
  const Rect band = grid.tile(0, row);
  for (int y = band.top; y < band.top + band.height; ++y) {
    const std::int16_t* lap = p.full_g.lap_row(y);
    const std::uint32_t* mag = p.full_g.mag_row(y);
    const std::uint8_t* luma = p.luma.row(y);
    for (int c = 0; c < grid.cols; ++c) {
      const Rect r = grid.tile(c, row);
      tile_row(lap + r.left, mag + r.left, luma + r.left, r.width, out[static_cast<std::size_t>(c)]);
    }
  }
}

FeatureVector tile_features(const FramePlanes& p, const Rect& r, const TileSums& sums, const BlurSums& blur,
                            const FeatureMask& wanted) {
  FeatureVector fv;
  const GradientStats g = stats_of(sums, r);
  const double sigma = focusmeter::noise_sigma(p.luma.cropped(r));
  set_base_features(fv, g, sigma);
  const Rect r2 = scaled(r, 1, p.half.width, p.half.height);
  if (wants(wanted, Feature::LaplacianRatio2x) || wants(wanted, Feature::LaplacianRatio4x) ||
      wants(wanted, Feature::Texture)) {
    set_scale_features(fv, g.laplacian_variance, laplacian_variance_in(p.half_g, r2),
                       laplacian_variance_in(p.quarter_g, scaled(r, 2, p.quarter.width, p.quarter.height)), sigma);
  }
  if (wants(wanted, Feature::EdgeSharpness)) fv.set(Feature::EdgeSharpness, edge_sharpness_in(p.full_g, r, sigma));
  if (wants(wanted, Feature::EdgeSharpness2x))
    fv.set(Feature::EdgeSharpness2x, focusmeter::edge_sharpness_2x(p.luma.cropped(r), sigma));
  if (wants(wanted, Feature::BlurEffect)) fv.set(Feature::BlurEffect, blur.value(r.width, r.height));
  return fv;
}

FeatureVector frame_features(const FramePlanes& p, const BlurSums& frame_blur, const FeatureMask& wanted,
                             FrameEdge* edge) {
  // As compute_features (features.cpp), step by step.
  FeatureVector fv;
  const LumaView& luma = p.luma;
  const GradientStats g = gradient_stats(luma);
  const double sigma = focusmeter::noise_sigma(luma);
  set_base_features(fv, g, sigma);
  const Rect whole_half{0, 0, p.half.width, p.half.height};
  if (wants(wanted, Feature::LaplacianRatio2x) || wants(wanted, Feature::LaplacianRatio4x) ||
      wants(wanted, Feature::Texture)) {
    // laplacian_scales: over a whole plane with reflected borders the
    // Laplacian sums to 0, so this variance is gradient_stats' to the bit.
    set_scale_features(fv, g.laplacian_variance, laplacian_variance_in(p.half_g, whole_half),
                       laplacian_variance_in(p.quarter_g, Rect{0, 0, p.quarter.width, p.quarter.height}), sigma);
  }
  if (wants(wanted, Feature::EdgeSharpness))
    fv.set(Feature::EdgeSharpness, edge && edge->complete()
                                       ? edge->value(sigma)
                                       : edge_sharpness_in(p.full_g, Rect{0, 0, luma.width(), luma.height()}, sigma));
  if (wants(wanted, Feature::EdgeSharpness2x))
    fv.set(Feature::EdgeSharpness2x, p.half.width >= 1 ? edge_sharpness_in(p.half_g, whole_half, sigma / 2) : 0.0);
  if (wants(wanted, Feature::BlurEffect)) fv.set(Feature::BlurEffect, frame_blur.value(luma.width(), luma.height()));
  return fv;
}

void lap_sums_portable(const std::int16_t* lap, int x, int n, std::int64_t& sum, std::int64_t& sum_sq) {
  // Blocks of 2048 values keep 32-bit sums exact (2048 * 1020^2 < 2^31).
  while (x < n) {
    const int end = n - x > 2048 ? x + 2048 : n;
    std::int32_t s = 0, s2 = 0;
#pragma omp simd reduction(+ : s, s2)
    for (int i = x; i < end; ++i) {
      s += lap[i];
      s2 += lap[i] * lap[i];
    }
    sum += s;
    sum_sq += s2;
    x = end;
  }
}

}  // namespace focusmeter::detail
