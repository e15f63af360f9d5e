// Overlays in streams (static_tiles.h): tile signatures, their history over
// the analysed frames, the rule, and the static tiles leaving the vote.
#include "focusmeter/static_tiles.h"

#include <cstring>

namespace focusmeter {
namespace {

// One step of a multiply-xorshift hash over 64-bit words: every input bit
// reaches every output bit within a few steps, and it costs a multiply per
// 8 pixels (about 0.3 ms over a 1080p frame on one core).
std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
  h ^= word;
  h *= 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

std::uint64_t hash_row(std::uint64_t h, const std::uint8_t* p, int n) {
  int x = 0;
  for (; x + 8 <= n; x += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + x, 8);  // unaligned rows: memcpy is the portable load
    h = mix(h, w);
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p + x, static_cast<std::size_t>(n - x));
  tail ^= static_cast<std::uint64_t>(n) << 56;  // the length too: a short row differs from a zero-padded one
  return mix(h, tail);
}

}  // namespace

std::vector<std::uint64_t> tile_signatures(const LumaView& luma, const TileGrid& grid) {
  std::vector<std::uint64_t> out(static_cast<std::size_t>(grid.count()), 0);
  for (int i = 0; i < grid.count(); ++i) {
    const Rect r = grid.tile(i);
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (int y = r.top; y < r.top + r.height; ++y) h = hash_row(h, luma.row(y) + r.left, r.width);
    out[static_cast<std::size_t>(i)] = h;
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
