// focusmeter core: the model file as a typed value (docs/model-format.md).
//
// A ModelSpec is what a model file says, nothing more: plain data that the
// trainer builds and writes, and that Model (model.h) validates and runs.
//   {
//     "format": "focusmeter-model", "version": 2,
//     "name": "default", "description": "...",
//     "feature_version": 3,
//     "features": [ {"name": "laplacian_variance", "transform": "log",
//                    "offset": 1e-6, "mean": -5.1, "std": 1.3}, ... ],
//     "classifier": {"type": "logistic_regression",
//                    "coefficients": [...], "intercept": 0.2}
//                 | {"type": "tree_ensemble", "base_score": 0.0,
//                    "trees": [ {"feature": [...], "threshold": [...],
//                                "left": [...], "right": [...],
//                                "value": [...]} ]},
//     "threshold": 0.5,
//     "low_texture": {"contrast": 0.015, "texture": 0.003},
//     "training": { ...free-form metadata... }
//   }
// from_json() checks the document's shape and every value (ModelError with
// the origin, the JSON path and the problem); to_json() writes the same
// layout back, so spec -> JSON -> spec is the identity.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "features.h"

namespace focusmeter {

class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One input of the model: transformed (none: x; log: ln(max(x, 0) + offset)),
// then standardised ((t - mean) / std).
struct FeatureSpec {
  enum class Transform { None, Log };
  Feature feature = Feature::LaplacianVariance;
  Transform transform = Transform::None;
  double offset = 0;  // log only, > 0
  double mean = 0;
  double std = 1;  // > 0
  bool operator==(const FeatureSpec& o) const;
};

// logit = intercept + sum coefficients[i] * x[i].
struct LogisticRegression {
  std::vector<double> coefficients;  // one per feature
  double intercept = 0;
  bool operator==(const LogisticRegression& o) const;
};

// One regression tree in flat arrays: node 0 is the root; feature < 0 marks
// a leaf whose value is added to the logit; otherwise go left when
// x[feature] <= threshold. Children point forward (walks terminate).
struct RegressionTree {
  std::vector<int> feature;
  std::vector<double> threshold;
  std::vector<int> left, right;
  std::vector<double> value;
  bool operator==(const RegressionTree& o) const;
};

// logit = base_score + the sum of each tree's leaf.
struct TreeEnsemble {
  double base_score = 0;
  std::vector<RegressionTree> trees;
  bool operator==(const TreeEnsemble& o) const;
};

using Classifier = std::variant<LogisticRegression, TreeEnsemble>;

struct ModelSpec {
  static constexpr const char* kFormat = "focusmeter-model";
  static constexpr int kFormatVersion = 2;

  std::string name = "unnamed";
  std::string description;
  int feature_version = kFeatureVersion;  // the feature definitions it was made for
  std::vector<FeatureSpec> features;      // in model order, each feature at most once
  Classifier classifier;
  double threshold = 0.5;  // score >= threshold: BLURRY; in [0, 1]
  LowTextureThresholds low_texture;
  nlohmann::json training = nlohmann::json::object();  // free-form metadata

  bool operator==(const ModelSpec& o) const;
  bool operator!=(const ModelSpec& o) const { return !(*this == o); }

  // The document, keys as in docs/model-format.md.
  nlohmann::json to_json() const;
  // Checks shape and values (not feature_version: Model does, so that a
  // tool may still read an older file's spec). `origin` names the source
  // in error messages.
  static ModelSpec from_json(const nlohmann::json& doc, const std::string& origin);
};

}  // namespace focusmeter
