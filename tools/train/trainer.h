// Training: feature transforms, standardisation, the held-out split by
// source photo, logistic regression, and the model file (docs/model-format.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "focusmeter/features.h"
#include "train/labelled_set.h"

namespace focusmeter::train {

struct TrainOptions {
  std::vector<Feature> features;  // in model order
  double l2 = 1.0;
  unsigned long long seed = 1;
  double holdout = 0.25;  // fraction of SOURCES held out
  double threshold = 0.5;
  std::string name = "default";
};

// The features of the shipped model, unless --features says otherwise.
std::vector<Feature> default_model_features();

// True when `source` falls in the held-out part (stable hash of seed+name).
bool is_held_out(const std::string& source, unsigned long long seed, double fraction);

// Fits on the CLEAR/BLURRY samples of `train` (ambiguous ones are ignored;
// the two classes weigh the same) and returns the model document, without
// its "training" metadata.
nlohmann::json fit_model(const std::vector<const Sample*>& train, const TrainOptions& opt);

}  // namespace focusmeter::train
