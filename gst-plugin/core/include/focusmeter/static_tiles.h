// focusmeter core: overlays in streams — tiles that stay identical from
// frame to frame while the rest of the picture changes (docs/focus-map.md,
// "Overlays in streams").
//
// One frame cannot tell a crisp logo or an opaque OSD box from crisp scene
// detail unless it looks like text (is_overlay in focus_map.h). A stream can:
// what a camera burns in after the lens stays the same while the scene
// changes (sensor noise alone changes every pixel of a real picture). The
// rule, over the analysed frames of one stream:
//
//  1. Signature: per tile of the focus map's grid, a 64-bit hash of every
//     luma byte of the tile (tile_signatures). Equal signatures are taken as
//     identical pixels; a collision is astronomically unlikely.
//  2. Unchanged: a tile whose signature is the same in the last
//     kStaticFrames analysed frames (kStaticFrames - 1 comparisons in a row).
//  3. The rest changes: at least kMinChangedShare of the frame's textured
//     tiles changed since the previous analysed frame. A perfectly still
//     stream (a synthetic one, a paused source, a frozen camera) changes
//     nowhere, so nothing in it is static; a real still scene changes
//     everywhere through sensor noise.
//  4. Static: a textured tile unchanged while the rest changes. When more
//     than kMaxStaticShare of the textured tiles would be static it is the
//     scene (a still view where only a small part moves, or an encoder
//     copying unchanged blocks), not an overlay: none is static.
//  5. Static tiles are treated like overlays (leave_out_static): they leave
//     the vote, and the map's aggregate and the frame's verdict are settled
//     again without them.
//
// Limits (docs/focus-map.md): only whole tiles are recognised. Text drawn
// over a changing scene leaves its tile changing (the scene behind the
// glyphs changes): that is the per-frame rule's case. Digits that tick
// every analysed frame (the seconds of a clock) change too. A lossy encoder
// that re-codes the overlay differently at each keyframe breaks identity
// for a frame, and the run of kStaticFrames starts again.
//
// A StaticTileTracker is one stream's state: the element keeps one, resets
// it on start, flush and caps changes; a grid different from the previous
// frame's (a new size or ROI) starts it over by itself.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "focus_map.h"
#include "luma_view.h"
#include "model.h"

namespace focusmeter {

constexpr int kStaticFrames = 3;             // identical in this many analysed frames in a row
constexpr double kMinChangedShare = 0.5;     // of the textured tiles, changed since the previous frame
constexpr double kMaxStaticShare = 1.0 / 3;  // of the textured tiles: more is the scene, as for overlays

// Step 1: one signature per tile of `grid` (row-major) over `luma`, the
// region the grid was made for.
std::vector<std::uint64_t> tile_signatures(const LumaView& luma, const TileGrid& grid);

class StaticTileTracker {
 public:
  // Records the analysed frame `luma` tiled by `grid`. A grid of another
  // shape than the previous frame's starts the history over.
  void observe(const LumaView& luma, const TileGrid& grid);
  // Forgets every frame (start, flush, caps change).
  void reset();

  // Steps 2-4 for the last observed frame, given its map's textured tiles
  // (one per tile of the observed grid): per tile, static or not. All false
  // before kStaticFrames frames or when `textured` does not match the grid.
  std::vector<bool> static_tiles(const std::vector<bool>& textured) const;

  // Per tile of the last observed frame: the number of analysed frames in a
  // row, this one included, with the same signature (1: it just changed or
  // it is the first frame).
  const std::vector<int>& runs() const { return runs_; }

 private:
  int cols_ = 0, rows_ = 0;
  std::vector<std::uint64_t> signatures_;
  std::vector<int> runs_;
};

// Step 5: the `still` tiles (static_tiles()) leave the vote of the judged
// frame `f` like overlays (map.overlay and map.voting), and its aggregate
// and judgement are settled again (settle_judgement, focus_map.h). Nothing
// changes when no tile is static.
void leave_out_static(FrameJudgement& f, const std::vector<bool>& still, const Model& model,
                      std::optional<double> threshold);

}  // namespace focusmeter
