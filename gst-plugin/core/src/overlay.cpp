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

OverlayStats overlay_stats(const LumaView& tile) {
  OverlayStats s;
  const int w = tile.width(), h = tile.height();
  if (w < 3 || h < 3) return s;
  // Pass 1: the Laplacian of the interior pixels and which are strokes.
  std::vector<std::int32_t> lap2(static_cast<std::size_t>(w) * h, 0);
  std::vector<std::uint8_t> near(static_cast<std::size_t>(w) * h, 0);  // strokes, then their surroundings
  std::int64_t strokes = 0, stroke_energy = 0, energy = 0;
  for (int y = 1; y + 1 < h; ++y) {
    const std::uint8_t* u = tile.row(y - 1);
    const std::uint8_t* m = tile.row(y);
    const std::uint8_t* d = tile.row(y + 1);
    for (int x = 1; x + 1 < w; ++x) {
      const int c = m[x], l = m[x - 1], r = m[x + 1], a = u[x], b = d[x];
      const int lap = 4 * c - l - r - a - b;
      const std::size_t i = static_cast<std::size_t>(y) * w + x;
      lap2[i] = lap * lap;
      energy += lap2[i];
      if (lap >= kStrokeLaplacian || lap <= -kStrokeLaplacian) {
        const int hi = std::max({c, l, r, a, b});
        const int lo = std::min({c, l, r, a, b});
        if (hi >= kBrightLuma || lo <= kDarkLuma) {
          ++strokes;
          stroke_energy += lap2[i];
          near[i] = 1;
        }
      }
    }
  }
  // Pass 2: grow the strokes by kStrokeReach pixels (a square, separably):
  // the glyphs' own softer edges and corners are not background.
  std::vector<std::uint8_t> grown(near.size(), 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t v = 0;
      for (int k = std::max(0, x - kStrokeReach); k <= std::min(w - 1, x + kStrokeReach) && !v; ++k)
        v = near[static_cast<std::size_t>(y) * w + k];
      grown[static_cast<std::size_t>(y) * w + x] = v;
    }
  std::int64_t background = 0, background_energy = 0;
  for (int y = 1; y + 1 < h; ++y)
    for (int x = 1; x + 1 < w; ++x) {
      bool close = false;
      for (int k = std::max(0, y - kStrokeReach); k <= std::min(h - 1, y + kStrokeReach) && !close; ++k)
        close = grown[static_cast<std::size_t>(k) * w + x] != 0;
      if (close) continue;
      ++background;
      background_energy += lap2[static_cast<std::size_t>(y) * w + x];
    }
  const auto pixels = static_cast<std::int64_t>(w - 2) * (h - 2);
  s.stroke_share = static_cast<double>(strokes) / static_cast<double>(pixels);
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
