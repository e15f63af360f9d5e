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

#include "focusmeter/focus_map.h"

namespace focusmeter {

OverlayStats overlay_stats(const LumaView& tile) {
  OverlayStats s;
  if (tile.width() < 3 || tile.height() < 3) return s;
  std::int64_t strokes = 0, pixels = 0;
  std::int64_t stroke_energy = 0, energy = 0;
  for (int y = 1; y + 1 < tile.height(); ++y) {
    const std::uint8_t* u = tile.row(y - 1);
    const std::uint8_t* m = tile.row(y);
    const std::uint8_t* d = tile.row(y + 1);
    for (int x = 1; x + 1 < tile.width(); ++x) {
      const int c = m[x], l = m[x - 1], r = m[x + 1], a = u[x], b = d[x];
      const int lap = 4 * c - l - r - a - b;
      const std::int64_t e = static_cast<std::int64_t>(lap) * lap;
      energy += e;
      if (lap >= kStrokeLaplacian || lap <= -kStrokeLaplacian) {
        const int hi = std::max({c, l, r, a, b});
        const int lo = std::min({c, l, r, a, b});
        if (hi >= kBrightLuma || lo <= kDarkLuma) {
          ++strokes;
          stroke_energy += e;
        }
      }
    }
    pixels += tile.width() - 2;
  }
  if (pixels == 0) return s;
  s.stroke_share = static_cast<double>(strokes) / static_cast<double>(pixels);
  s.stroke_energy_share = energy > 0 ? static_cast<double>(stroke_energy) / static_cast<double>(energy) : 0.0;
  const std::int64_t rest = pixels - strokes;
  s.background_rms =
      rest > 0 ? std::sqrt(static_cast<double>(energy - stroke_energy) / static_cast<double>(rest)) : 0.0;
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
