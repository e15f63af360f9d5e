// Overlays in streams (static_tiles.h): tile signatures, their history over
// the analysed frames, the rule, and the static tiles leaving the vote.
#include "focusmeter/static_tiles.h"

#include <cstring>

namespace focusmeter {
namespace {

// One step of a multiply-xorshift hash over 64-bit words: every input bit
// reaches every output bit within a few steps.
std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
  h ^= word;
  h *= 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

std::uint64_t load(const std::uint8_t* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);  // unaligned rows: memcpy is the portable load
  return w;
}

// Four independent lanes of 8 bytes each, so the multiplies overlap instead
// of waiting on each other, folded into `h` at the row's end (the cost per
// frame: tests/bench/static_tiles_bench.cpp, docs/focus-map.md).
std::uint64_t hash_row(std::uint64_t h, const std::uint8_t* p, int n) {
  std::uint64_t l0 = 1, l1 = 2, l2 = 3, l3 = 4;
  int x = 0;
  for (; x + 32 <= n; x += 32) {
    l0 = mix(l0, load(p + x));
    l1 = mix(l1, load(p + x + 8));
    l2 = mix(l2, load(p + x + 16));
    l3 = mix(l3, load(p + x + 24));
  }
  for (; x + 8 <= n; x += 8) l0 = mix(l0, load(p + x));
  std::uint64_t tail = 0;
  std::memcpy(&tail, p + x, static_cast<std::size_t>(n - x));
  tail ^= static_cast<std::uint64_t>(n) << 56;  // the length too: a short row differs from a zero-padded one
  return mix(mix(mix(mix(mix(h, l0), l1), l2), l3), tail);
}

}  // namespace

std::vector<std::uint64_t> tile_signatures(const LumaView& luma, const TileGrid& grid) {
  std::vector<std::uint64_t> out(static_cast<std::size_t>(grid.count()), 0xCBF29CE484222325ULL);
  // Row by row through the frame (each row once, in memory order), each
  // row's segments going to their tiles' hashes.
  for (int row = 0; row < grid.rows; ++row) {
    const Rect band = grid.tile(0, row);
    for (int y = band.top; y < band.top + band.height; ++y) {
      const std::uint8_t* line = luma.row(y);
      for (int col = 0; col < grid.cols; ++col) {
        const Rect r = grid.tile(col, row);
        std::uint64_t& h = out[static_cast<std::size_t>(row) * grid.cols + col];
        h = hash_row(h, line + r.left, r.width);
      }
    }
  }
  return out;
}

void StaticTileTracker::observe(const LumaView& luma, const TileGrid& grid) {
  std::vector<std::uint64_t> now = tile_signatures(luma, grid);
  if (grid.cols != cols_ || grid.rows != rows_ || signatures_.size() != now.size()) {
    cols_ = grid.cols;
    rows_ = grid.rows;
    runs_.assign(now.size(), 1);
  } else {
    for (std::size_t i = 0; i < now.size(); ++i) runs_[i] = now[i] == signatures_[i] ? runs_[i] + 1 : 1;
  }
  signatures_ = std::move(now);
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
