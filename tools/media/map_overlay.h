// The focus map drawn over a picture, so that a person sees where it is soft
// (HTML report thumbnails, check --show; docs/focus-map.md).
//
// Each tile that voted is tinted from green (score 0, sharp) through yellow
// to red (score 1, blurry) at 40 % opacity; a tile left out as burnt-in text
// gets a blue outline and no tint; a tile with nothing to judge is left as it
// is. Thin grid lines show the tiles. The map covers the analysed region,
// which for check and scan is the whole picture.
#pragma once

#include <opencv2/core.hpp>

#include "focusmeter/focus_map.h"

namespace focusmeter::media {

// A BGR copy of `frame` (8-bit gray or BGR) with `map` drawn over it; the
// plain BGR copy when the map is not valid().
cv::Mat draw_focus_map(const cv::Mat& frame, const MapSummary& map);

}  // namespace focusmeter::media
