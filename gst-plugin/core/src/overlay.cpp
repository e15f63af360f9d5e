// Burnt-in text in a tile (focus_map.h, step 4).
//
// A camera's OSD (timestamp, camera name) is drawn after the lens: its
// strokes are one to three pixels wide, white or coloured near the top of
// the luma range, often with a black outline, and stay crisp however soft
// the picture behind them is. In the Laplacian that shows as a few pixels
// with very large values, all touching a pixel at an end of the luma range,
// carrying most of the tile's energy, while the rest of the tile (the
// defocused scene) has almost none once sensor noise is accounted for.
// Sharp scene detail fails the last test (its background has detail of its
// own); a defocused tile with OSD text passes all of them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "focusmeter/focus_map.h"
#include "frame_planes.h"
#include "tile_features.h"

namespace focusmeter {

namespace detail {
namespace {

struct Stroke {
  int x, y;
};

}  // namespace

OverlayStats overlay_stats_in(const LumaView& frame, const GradientPlanes& g, const Rect& r) {
  OverlayStats s;
  const int w = r.width, h = r.height;
  if (w < 3 || h < 3) return s;
  const LumaView tile = frame.cropped(r);
  // The Laplacian of the tile's interior pixels: their stencils lie inside
  // the tile, so the frame's plane holds exactly the tile's values.
  auto lap_row = [&](int y) { return g.lap_row(r.top + y) + r.left; };
  // Pass 1: the energy, and which interior pixels are strokes. Strokes are
  // rare, so they are listed rather than marked in a plane.
  std::vector<Stroke> strokes;
  std::int64_t stroke_energy = 0, energy = 0;
  for (int y = 1; y + 1 < h; ++y) {
    const std::int16_t* lap = lap_row(y);
    std::int32_t row_energy = 0;  // <= 320 * 1020^2 per tile row, far below 2^31
    int any = 0;
#pragma omp simd reduction(+ : row_energy) reduction(| : any)
    for (int x = 1; x < w - 1; ++x) {
      const int l = lap[x];
      row_energy += l * l;
      any |= l >= kStrokeLaplacian || l <= -kStrokeLaplacian;
    }
    energy += row_energy;
    if (!any) continue;
    const std::uint8_t* u = tile.row(y - 1);
    const std::uint8_t* m = tile.row(y);
    const std::uint8_t* d = tile.row(y + 1);
    for (int x = 1; x + 1 < w; ++x) {
      const int l = lap[x];
      if (l < kStrokeLaplacian && l > -kStrokeLaplacian) continue;
      const int c = m[x], le = m[x - 1], ri = m[x + 1], a = u[x], b = d[x];
      const int hi = std::max({c, le, ri, a, b});
      const int lo = std::min({c, le, ri, a, b});
      if (hi >= kBrightLuma || lo <= kDarkLuma) {
        strokes.push_back({x, y});
        stroke_energy += l * l;
      }
    }
  }
  // Pass 2: the pixels within kStrokeReach of a stroke (a square) are not
  // background: the glyphs' own softer edges and corners. Without strokes
  // every interior pixel is background.
  const auto pixels = static_cast<std::int64_t>(w - 2) * (h - 2);
  std::int64_t background = pixels, background_energy = energy;
  if (!strokes.empty()) {
    std::vector<std::uint8_t> near(static_cast<std::size_t>(w) * h, 0);
    for (const Stroke& p : strokes)
      for (int y = std::max(1, p.y - kStrokeReach); y <= std::min(h - 2, p.y + kStrokeReach); ++y)
        for (int x = std::max(1, p.x - kStrokeReach); x <= std::min(w - 2, p.x + kStrokeReach); ++x) {
          std::uint8_t& seen = near[static_cast<std::size_t>(y) * w + x];
          if (seen) continue;
          seen = 1;
          const int l = lap_row(y)[x];
          --background;
          background_energy -= l * l;
        }
  }
  s.stroke_share = static_cast<double>(strokes.size()) / static_cast<double>(pixels);
  s.stroke_energy_share = energy > 0 ? static_cast<double>(stroke_energy) / static_cast<double>(energy) : 0.0;
  s.background_rms =
      background > 0 ? std::sqrt(static_cast<double>(background_energy) / static_cast<double>(background)) : 0.0;
  return s;
}

}  // namespace detail

OverlayStats overlay_stats(const LumaView& tile) {
  detail::GradientPlanes g;
  detail::gradient_planes(tile, g);
  return detail::overlay_stats_in(tile, g, Rect{0, 0, tile.width(), tile.height()});
}

bool is_overlay(const OverlayStats& s, double noise_sigma) {
  // White noise of deviation sigma (grey levels) adds 20 sigma^2 to the
  // mean square of this Laplacian (its squared taps sum to 20).
  const double sigma = noise_sigma * 255.0;
  const double background = std::sqrt(std::max(0.0, s.background_rms * s.background_rms - 20.0 * sigma * sigma));
  return s.stroke_share >= kMinStrokeShare && s.stroke_share <= kMaxStrokeShare &&
         s.stroke_energy_share >= kMinStrokeEnergyShare && background <= kMaxBackgroundRms;
}

}  // namespace focusmeter
