// Overlays in streams (static_tiles.h): tile signatures, their history over
// the analysed frames, the rule, and the static tiles leaving the vote.
#include "focusmeter/static_tiles.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace focusmeter {
namespace {

constexpr std::uint64_t kLowBytes = 0x00FF00FF00FF00FFULL;

// The 8 bytes at `p` summed in pairs: four 16-bit lanes of at most 510
// (SWAR, one 64-bit word per block row: no unaligned vector loads needed).
std::uint64_t pair_sums(const std::uint8_t* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);  // unaligned rows: memcpy is the portable load
  return (w & kLowBytes) + ((w >> 8) & kLowBytes);
}

// The four 16-bit lanes of `lanes` added (at most 4 x 8 x 510 = 16320 for a
// block: no lane overflows, and neither does the top lane of the product).
std::uint16_t lane_total(std::uint64_t lanes) {
  return static_cast<std::uint16_t>((lanes * 0x0001000100010001ULL) >> 48);
}

static_assert(kSignatureBlock == 8, "pair_sums reads one 8-byte word per block row");

// Tile `r`'s whole blocks: [x0, x1) x [y0, y1) in blocks.
struct BlockRange {
  int x0, x1, y0, y1;
};
BlockRange whole_blocks(const Rect& r, int block_cols, int block_rows) {
  constexpr int k = kSignatureBlock;
  return {(r.left + k - 1) / k, std::min(block_cols, (r.left + r.width) / k), (r.top + k - 1) / k,
          std::min(block_rows, (r.top + r.height) / k)};
}

bool same_grid(const TileGrid& a, const TileGrid& b) {
  return a.width == b.width && a.height == b.height && a.cols == b.cols && a.rows == b.rows;
}

}  // namespace

TileSignatures tile_signatures(const LumaView& luma, const TileGrid& grid) {
  TileSignatures out;
  out.grid = grid;
  // The grid is made for this region; the view's size bounds the reads
  // should a caller pass another one.
  out.block_cols = std::min(grid.width, luma.width()) / kSignatureBlock;
  out.block_rows = std::min(grid.height, luma.height()) / kSignatureBlock;
  out.sums.resize(static_cast<std::size_t>(out.block_cols) * out.block_rows);
  // Row by row through the region (each row once, in memory order), each
  // block's pair sums accumulated in four lanes over its 8 rows, then added.
  std::vector<std::uint64_t> lanes(static_cast<std::size_t>(out.block_cols));
  for (int by = 0; by < out.block_rows; ++by) {
    std::fill(lanes.begin(), lanes.end(), 0);
    for (int y = by * kSignatureBlock; y < (by + 1) * kSignatureBlock; ++y) {
      const std::uint8_t* line = luma.row(y);
      for (int bx = 0; bx < out.block_cols; ++bx) lanes[static_cast<std::size_t>(bx)] += pair_sums(line + 8 * bx);
    }
    std::uint16_t* sums = out.sums.data() + static_cast<std::size_t>(by) * out.block_cols;
    for (int bx = 0; bx < out.block_cols; ++bx) sums[bx] = lane_total(lanes[static_cast<std::size_t>(bx)]);
  }
  return out;
}

double tile_difference(const TileSignatures& a, const TileSignatures& b, int tile) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (!same_grid(a.grid, b.grid) || tile < 0 || tile >= a.grid.count() || a.sums.size() != b.sums.size()) return kInf;
  const BlockRange br = whole_blocks(a.grid.tile(tile), a.block_cols, a.block_rows);
  if (br.x1 <= br.x0 || br.y1 <= br.y0) return kInf;
  std::int64_t total = 0;
  for (int by = br.y0; by < br.y1; ++by) {
    const std::size_t row = static_cast<std::size_t>(by) * a.block_cols;
    for (int bx = br.x0; bx < br.x1; ++bx) total += std::abs(int{a.sums[row + bx]} - int{b.sums[row + bx]});
  }
  const int blocks = (br.x1 - br.x0) * (br.y1 - br.y0);
  return static_cast<double>(total) / (static_cast<double>(blocks) * kSignatureBlock * kSignatureBlock);
}

void StaticTileTracker::observe(const LumaView& luma, const TileGrid& grid) {
  TileSignatures now = tile_signatures(luma, grid);
  const std::size_t n = static_cast<std::size_t>(grid.count());
  if (!same_grid(grid, anchors_.grid) || runs_.size() != n || anchors_.sums.size() != now.sums.size()) {
    runs_.assign(n, 1);
    anchors_ = std::move(now);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const int tile = static_cast<int>(i);
    if (tile_difference(now, anchors_, tile) < kUnchangedBelow) {
      ++runs_[i];
      continue;
    }
    // Changed: its run starts again from this frame's blocks.
    runs_[i] = 1;
    const BlockRange br = whole_blocks(grid.tile(tile), now.block_cols, now.block_rows);
    for (int by = br.y0; by < br.y1; ++by) {
      const std::size_t row = static_cast<std::size_t>(by) * now.block_cols;
      std::copy(now.sums.begin() + static_cast<std::ptrdiff_t>(row + br.x0),
                now.sums.begin() + static_cast<std::ptrdiff_t>(row + std::max(br.x0, br.x1)),
                anchors_.sums.begin() + static_cast<std::ptrdiff_t>(row + br.x0));
    }
  }
}

void StaticTileTracker::reset() { *this = StaticTileTracker(); }

std::vector<bool> StaticTileTracker::static_tiles(const std::vector<bool>& textured) const {
  std::vector<bool> still(runs_.size(), false);
  if (textured.size() != runs_.size()) return still;
  int n_textured = 0, changed = 0, candidates = 0;
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    if (!textured[i]) continue;
    ++n_textured;
    changed += runs_[i] == 1 ? 1 : 0;
    if (runs_[i] >= kStaticFrames) {
      still[i] = true;
      ++candidates;
    }
  }
  // runs_ of 1 everywhere is also the first frame: then candidates is 0.
  const bool rest_changes = n_textured > 0 && changed >= kMinChangedShare * n_textured;
  const bool few = candidates <= kMaxStaticShare * n_textured;
  if (!rest_changes || !few) still.assign(still.size(), false);
  return still;
}

void leave_out_static(FrameJudgement& f, const std::vector<bool>& still, const Model& model,
                      std::optional<double> threshold) {
  const std::size_t n = static_cast<std::size_t>(f.map.grid.count());
  if (still.size() != n) return;
  bool any = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!still[i] || !f.map.textured[i]) continue;
    f.map.overlay[i] = true;
    f.map.voting[i] = false;
    any = true;
  }
  if (any) settle_judgement(f, model, threshold);
}

}  // namespace focusmeter
