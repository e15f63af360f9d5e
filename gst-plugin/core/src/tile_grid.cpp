// The focus map's grid (focus_map.h, step 1): tile size from the region's
// shorter side, remainders spread by flooring i * side / count.
#include <algorithm>
#include <cmath>

#include "focusmeter/focus_map.h"

namespace focusmeter {
namespace {

// Edge i of `count` equal parts of `side`: floor(i * side / count), so the
// parts differ by at most one pixel and the last edge is `side`.
int edge(int i, int side, int count) { return static_cast<int>(static_cast<long long>(i) * side / count); }

int parts(int side, int tile) { return std::max(1, static_cast<int>(std::lround(static_cast<double>(side) / tile))); }

}  // namespace

Rect TileGrid::tile(int col, int row) const {
  Rect r;
  r.left = edge(col, width, cols);
  r.top = edge(row, height, rows);
  r.width = edge(col + 1, width, cols) - r.left;
  r.height = edge(row + 1, height, rows) - r.top;
  return r;
}

TileGrid tile_grid(int width, int height) {
  TileGrid g;
  if (width <= 0 || height <= 0) return g;
  g.width = width;
  g.height = height;
  const int tile = std::clamp(std::min(width, height) / kTilesPerShortSide, kMinTileSide, kMaxTileSide);
  g.cols = parts(width, tile);
  g.rows = parts(height, tile);
  return g;
}

}  // namespace focusmeter
