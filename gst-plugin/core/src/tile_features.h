// The focus map's tile features from shared whole-frame passes, private to
// the core (focus_map.h step 2, docs/focus-map.md "How tiles are measured").
//
// A tile's features are the frame's definitions (docs/features.md) applied
// to the tile's pixels, but read from planes computed once for the whole
// frame (frame_planes.h) instead of filtering each tile as a frame of its
// own. The one difference is at the tile's edges: a filter that reaches
// past them sees the frame's pixels there, where a tile cut out as a frame
// would see its own pixels reflected. So:
//  - Laplacian and Scharr at the tile's border pixels use the neighbouring
//    tiles' pixels; the Laplacian's variance is then a true variance (its
//    mean over a tile is no longer exactly 0);
//  - the 2x and 4x downscales are the frame's, with the tile's edges halved
//    (floor), so pixel pairs are the frame's, not the tile's;
//  - blur_effect's 11-pixel re-blur reads the frame past the tile's edges.
// noise_sigma is the tile's own, exactly as before (noise_sigma.cpp).
// Burnt-in text (overlay_stats) reads only the tile's interior pixels, so it
// is exactly the tile's.
#pragma once

#include <cstdint>
#include <vector>

#include "focusmeter/features.h"
#include "focusmeter/focus_map.h"
#include "frame_planes.h"
#include "kernels.h"

namespace focusmeter::detail {

// blur_effect's integer sums (11 x sum D and 11 x sum V per axis).
struct BlurSums {
  std::int64_t vd = 0, vv = 0, hd = 0, hv = 0;
  // blur_effect of a width x height region with these sums.
  double value(int width, int height) const;
};

// One pass over the frame: each tile's sums (differences inside the tile;
// the re-blur reads the frame) and the frame's own, which equal
// blur_effect(frame)'s exactly (the tiles' plus the seams between them).
struct TileBlur {
  std::vector<BlurSums> tiles;  // row-major, as the grid
  BlurSums frame;
};
void tile_blur(const LumaView& luma, const TileGrid& grid, TileBlur& out);

// The Laplacian, gradient and luma sums of every tile of grid row `row`
// (one per column), from planes.full_g, which must hold the band's rows.
// The band is read row by row, left to right, as it lies in memory; each
// tile's rows are still summed top to bottom, so the sums are the same
// bits as tile by tile.
void band_sums(const FramePlanes& planes, const TileGrid& grid, int row, std::vector<TileSums>& out);

// Every feature of tile `r` (frame coordinates) that `wanted` asks for, plus
// the base features, from the frame's planes, the tile's sums (band_sums)
// and its blur sums.
FeatureVector tile_features(const FramePlanes& planes, const Rect& r, const TileSums& sums, const BlurSums& blur,
                            const FeatureMask& wanted);

// compute_features(frame, wanted) (features.h), the same bits, with the
// multi-scale features and blur_effect read from the frame's planes and
// blur pass (`planes` from frame_planes, `frame_blur` from tile_blur)
// instead of filtering the frame again.
// `edge`: the frame's edge_sharpness accumulated over every band
// (FrameEdge); without it, planes.full_g must hold the whole frame.
FeatureVector frame_features(const FramePlanes& planes, const BlurSums& frame_blur, const FeatureMask& wanted,
                             FrameEdge* edge = nullptr);

// overlay_stats (focus_map.h) of tile `r` of the frame whose Laplacian
// plane is `g`.
OverlayStats overlay_stats_in(const LumaView& frame, const GradientPlanes& g, const Rect& r);

}  // namespace focusmeter::detail
