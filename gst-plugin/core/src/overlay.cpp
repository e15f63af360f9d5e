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

namespace focusmeter {

namespace {

struct Stroke {
  int x, y;
};

// The Laplacian of row y's interior pixels into lap[1 .. w-1); returns the
// sum of their squares. Plain integer loop: the compiler vectorises it.
std::int64_t laplacian_row(const LumaView& tile, int y, std::int16_t* lap) {
  const std::uint8_t* u = tile.row(y - 1);
  const std::uint8_t* m = tile.row(y);
  const std::uint8_t* d = tile.row(y + 1);
  const int w = tile.width();
  // Blocks of 1024 pixels: 1024 * 1020^2 < 2^31, so a block sums in 32 bits.
  std::int64_t total = 0;
  for (int x0 = 1; x0 + 1 < w; x0 += 1024) {
    const int end = std::min(w - 1, x0 + 1024);
    std::int32_t energy = 0;
    for (int x = x0; x < end; ++x) {
      const int l = 4 * m[x] - m[x - 1] - m[x + 1] - u[x] - d[x];
      lap[x] = static_cast<std::int16_t>(l);
      energy += l * l;
    }
    total += energy;
  }
  return total;
}

}  // namespace

OverlayStats overlay_stats(const LumaView& tile) {
  OverlayStats s;
  const int w = tile.width(), h = tile.height();
  if (w < 3 || h < 3) return s;
  // Pass 1: the Laplacian of the interior pixels and which are strokes.
  // Strokes are rare, so they are listed rather than marked in a plane.
  std::vector<std::int16_t> lap(static_cast<std::size_t>(w));
  std::vector<Stroke> strokes;
  std::int64_t stroke_energy = 0, energy = 0;
  for (int y = 1; y + 1 < h; ++y) {
    energy += laplacian_row(tile, y, lap.data());
    const std::uint8_t* u = tile.row(y - 1);
    const std::uint8_t* m = tile.row(y);
    const std::uint8_t* d = tile.row(y + 1);
    for (int x = 1; x + 1 < w; ++x) {
      const int l = lap[x];
      if (l < kStrokeLaplacian && l > -kStrokeLaplacian) continue;
      const int c = m[x], le = m[x - 1], r = m[x + 1], a = u[x], b = d[x];
      const int hi = std::max({c, le, r, a, b});
      const int lo = std::min({c, le, r, a, b});
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
          const std::uint8_t* m = tile.row(y);
          const int l = 4 * m[x] - m[x - 1] - m[x + 1] - tile.row(y - 1)[x] - tile.row(y + 1)[x];
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

bool is_overlay(const OverlayStats& s, double noise_sigma) {
  // White noise of deviation sigma (grey levels) adds 20 sigma^2 to the
  // mean square of this Laplacian (its squared taps sum to 20).
  const double sigma = noise_sigma * 255.0;
  const double background = std::sqrt(std::max(0.0, s.background_rms * s.background_rms - 20.0 * sigma * sigma));
  return s.stroke_share >= kMinStrokeShare && s.stroke_share <= kMaxStrokeShare &&
         s.stroke_energy_share >= kMinStrokeEnergyShare && background <= kMaxBackgroundRms;
}

}  // namespace focusmeter
