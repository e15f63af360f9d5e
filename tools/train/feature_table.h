// The feature tables `focusmeter train eval --export-features/--export-tiles`
// write, so that other classifiers can be compared on exactly the samples,
// labels and folds of the C++ evaluation (tools/train/compare_classifiers.py).
//
// One CSV row per image (or per tile of the focus map's grid), columns:
//   path, package, source, label (clear/blurry/ambiguous),
//   in_target (1 = the main task, evaluation.h's in_target()),
//   cv_fold (the inner cross-validation fold of the source, trainer.h's cv_fold()),
//   [tile, textured, overlay]  -- tiles only (map_evaluation.h's TileRow)
//   every other manifest column (sorted by name), then every feature of
//   features.h by its name (all_features(), raw values as the core computes them).
#pragma once

#include <string>
#include <vector>

#include "train/labelled_set.h"
#include "train/map_evaluation.h"
#include "train/trainer.h"

namespace focusmeter::train {

// `tiles` null: one row per sample, its frame features. Otherwise one row per
// (*tiles)[i] entry of each sample. Returns false with one line in `error`
// when `path` cannot be written.
bool write_feature_table(const std::vector<Sample>& samples, const std::vector<std::vector<TileRow>>* tiles,
                         const TrainOptions& opt, const std::string& path, std::string& error);

}  // namespace focusmeter::train
