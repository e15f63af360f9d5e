// A small gradient-boosted tree ensemble for the logistic loss (Newton
// leaves, XGBoost-style split gain), in the model format's flat-array
// trees. Deterministic: no row or column sampling.
#pragma once

#include <vector>

#include "focusmeter/model_spec.h"

namespace focusmeter::train {

struct BoostingOptions {
  int trees = 150;
  int depth = 3;
  double learning_rate = 0.1;
  double lambda = 1.0;            // L2 on leaf values
  double min_child_weight = 1.0;  // minimum hessian in a leaf
  int bins = 64;                  // candidate thresholds per feature (quantiles)
};

// `x`: n rows of d (transformed, standardised) features, `y` 0/1, `w`
// weights.
TreeEnsemble fit_boosted_trees(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                               const std::vector<double>& w, const BoostingOptions& opt);

}  // namespace focusmeter::train
