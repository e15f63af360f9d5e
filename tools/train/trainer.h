// Training: feature transforms, standardisation, the held-out split by
// source photo, logistic regression, and the model file (docs/model-format.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "focusmeter/features.h"
#include "focusmeter/judgement.h"
#include "focusmeter/model_spec.h"
#include "train/boosting.h"
#include "train/labelled_set.h"

namespace focusmeter::train {

struct TrainOptions {
  std::vector<Feature> features;  // in model order
  double l2 = 0.1;
  unsigned long long seed = 1;
  double holdout = 0.3;  // fraction of SOURCES held out
  double threshold = 0.5;
  std::string name = "default";
  bool trees = false;              // gradient-boosted trees instead of logistic regression
  bool auto_threshold = true;      // pick the threshold by cross-validation
  double max_false_alarms = 0.02;  // what the automatic threshold aims for
  int folds = 5;                   // cross-validation folds, by source photo
  BoostingOptions boosting;
};

// The features of the shipped model, unless --features says otherwise.
std::vector<Feature> default_model_features();

// True when `source` falls in the held-out part (stable hash of seed+name).
bool is_held_out(const std::string& source, unsigned long long seed, double fraction);

// The low-texture thresholds a trained model ships with (Y/255 units, about
// 3.8 and 0.8 grey levels; docs/features.md): the values features-only
// reports use too, so that a model and no model flag the same frames.
constexpr LowTextureThresholds kTrainedLowTexture = kFeaturesOnlyLowTexture;

// Fits on the CLEAR/BLURRY samples of `train` (ambiguous ones are ignored;
// the two classes weigh the same) and returns the model, without its
// "training" metadata. How the fit went (l2, iterations, convergence; the
// trees' settings) goes to `fit` when given.
ModelSpec fit_model(const std::vector<const Sample*>& train, const TrainOptions& opt, nlohmann::json* fit = nullptr);

// The cross-validation fold (0 .. opt.folds-1) of a source photo inside a
// training part: a stable hash of (seed, source), the same for every split.
int cv_fold(const std::string& source, const TrainOptions& opt);

// The shipped procedure: cross-validation by source photo on `train` gives
// out-of-fold scores; a Platt scaling fitted on them makes the score
// calibrated (folded into the classifier, so the file format is unchanged),
// and the threshold is the one with the best out-of-fold balanced accuracy
// on the target task whose false-alarm rate stays <= max_false_alarms. Then
// the model is refitted on all of `train`. Adds "fit", "calibration" and
// "threshold_choice" metadata to `meta`.
ModelSpec fit_calibrated_model(const std::vector<const Sample*>& train, const TrainOptions& opt, nlohmann::json& meta);

}  // namespace focusmeter::train
