// The verdict path users get, for `focusmeter train eval`: every image
// decoded once and judged through the core's focus map (judge_frame: tile
// scores, overlay tiles left out, median of the voting tiles) by one or
// more models, exactly as the element and every command judge a frame.
// Optionally the features of every tile of the same grid, so that tile-level
// classifiers can be trained and compared outside the C++
// (tools/train/compare_classifiers.py).
#pragma once

#include <string>
#include <vector>

#include "focusmeter/features.h"
#include "focusmeter/model.h"
#include "train/labelled_set.h"

namespace focusmeter::train {

// One model's map verdict for one image. UNKNOWN (no voting tile, or the
// whole frame has nothing to judge) is not a BLURRY decision; its score
// counts as 0.5, "no evidence", in the calibration tables.
struct MapVerdict {
  bool blurry = false;
  bool unknown = false;
  double score = 0.5;
};

// One tile of the focus map's grid (tile_grid), row-major index.
struct TileRow {
  int index = 0;
  bool textured = false;   // the low-texture guard (kTrainedLowTexture) finds something to judge
  bool overlay = false;    // is_overlay(): burnt-in text, left out of the vote
  FeatureVector features;  // all_features() of the tile as a view of the frame
};

// For every index i in `which`: decodes samples[i].path and sets
// verdicts[i][k] to models[k]'s judge_frame verdict (verdicts is resized to
// samples.size() rows when smaller); with `tiles`, also (*tiles)[i] (resized
// likewise). `jobs` threads. Fails on the first image that does not decode,
// naming it.
bool judge_through_map(const std::vector<Sample>& samples, const std::vector<std::size_t>& which,
                       const std::vector<const Model*>& models, int jobs,
                       std::vector<std::vector<MapVerdict>>& verdicts, std::vector<std::vector<TileRow>>* tiles,
                       std::string& error);

}  // namespace focusmeter::train
