// focusmeter core: overlays in streams — tiles that stay the same from
// frame to frame, up to an encoder's re-coding, while the rest of the
// picture changes (docs/focus-map.md, "Overlays in streams").
//
// One frame cannot tell a crisp logo or an opaque OSD box from crisp scene
// detail unless it looks like text (is_overlay in focus_map.h). A stream can:
// what a camera burns in after the lens stays the same while the scene
// changes. The rule, over the analysed frames of one stream:
//
//  1. Signature: per tile, the means of its whole 8 x 8 blocks
//     (tile_signatures; blocks aligned to the region's origin, as a codec's
//     transform blocks are to the frame's). A block's mean is its DC: what
//     an encoder re-quantises differently at each keyframe is mostly the
//     AC coefficients, which sum to zero over the block, and sensor noise
//     averages out, while a moving scene shifts the means of textured
//     blocks by whole grey levels.
//  2. Unchanged: a tile whose block means differ by less than
//     kUnchangedBelow grey levels on average (tile_difference) from those
//     of the frame its run began with, in the last kStaticFrames analysed
//     frames (kStaticFrames - 1 comparisons in a row). Against the run's
//     first frame, not the previous one: a slow pan moves a smooth tile's
//     means by less than the bound per frame, but not over two. The bound lies between
//     what x264 and x265 make of a still OSD between keyframes (0.5 to 8
//     Mb/s) and what a panning scene with sensor noise gives; the
//     measurements are in docs/focus-map.md
//     (tests/bench/static_tiles_codec_eval.cpp).
//  3. The rest changes: at least kMinChangedShare of the frame's textured
//     tiles changed since the previous analysed frame. A perfectly still
//     stream (a synthetic one, a paused source, a frozen camera) changes
//     nowhere, so nothing in it is static; nor does a still scene with
//     sensor noise (the block means average the noise out, and an encoder
//     removes most of it), the same case.
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
// every analysed frame (the seconds of a clock) change too. A scene part
// that moves so little between two analysed frames that its block means
// stay within the bound (a slow pan over a smooth picture) is unchanged
// like an overlay; it only leaves the vote if the rest changes and it is
// under a third of the picture. Whole blocks only: the last 1 to 7 pixels
// of a region whose size is not a multiple of 8 are not compared.
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

constexpr int kStaticFrames = 3;             // unchanged in this many analysed frames in a row
constexpr int kSignatureBlock = 8;           // the side of a signature's blocks, pixels
constexpr double kUnchangedBelow = 2.0;      // grey levels: mean |difference| of a tile's block means
constexpr double kMinChangedShare = 0.5;     // of the textured tiles, changed since the previous frame
constexpr double kMaxStaticShare = 1.0 / 3;  // of the textured tiles: more is the scene, as for overlays

// Step 1: the block means of `luma`, the region `grid` was made for: the
// sum of every whole kSignatureBlock x kSignatureBlock block, row-major,
// and the grid that assigns them to tiles.
struct TileSignatures {
  TileGrid grid;
  int block_cols = 0, block_rows = 0;
  std::vector<std::uint16_t> sums;  // at most 64 x 255: fits
};
TileSignatures tile_signatures(const LumaView& luma, const TileGrid& grid);

// Step 2's measure: over the whole blocks of tile `tile` (row-major index
// of the grid), the mean |difference| of the block means between `a` and
// `b`, in grey levels. Infinity when the two were not made for the same
// grid or the tile holds no whole block (nothing to compare: never
// unchanged).
double tile_difference(const TileSignatures& a, const TileSignatures& b, int tile);

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
  // row, this one included, each unchanged from the one before (1: it just
  // changed or it is the first frame).
  const std::vector<int>& runs() const { return runs_; }

 private:
  // Per tile, its blocks in the first frame of its current run: each frame
  // is compared with where the run began, not only with the frame before,
  // so a slow drift adds up instead of passing step by step.
  TileSignatures anchors_;
  std::vector<int> runs_;
};

// Step 5: the `still` tiles (static_tiles()) leave the vote of the judged
// frame `f` like overlays (map.overlay and map.voting), and its aggregate
// and judgement are settled again (settle_judgement, focus_map.h). Nothing
// changes when no tile is static.
void leave_out_static(FrameJudgement& f, const std::vector<bool>& still, const Model& model,
                      std::optional<double> threshold);

}  // namespace focusmeter
