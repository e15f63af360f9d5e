// focusmeter core: the focus model, its file format and its inference.
//
// A model file is JSON (documented in docs/model-format.md):
//   {
//     "format": "focusmeter-model", "version": 1,
//     "name": "default", "description": "...",
//     "features": [ {"name": "laplacian_variance", "transform": "log",
//                    "offset": 1e-6, "mean": -5.1, "std": 1.3}, ... ],
//     "classifier": {"type": "logistic_regression",
//                    "coefficients": [...], "intercept": 0.2}
//                 | {"type": "tree_ensemble", "base_score": 0.0,
//                    "trees": [ {"feature": [...], "threshold": [...],
//                                "left": [...], "right": [...],
//                                "value": [...]} ]},
//     "threshold": 0.5,
//     "training": { ...free-form metadata... }
//   }
// Each feature is transformed (none: x; log: ln(x + offset)), then
// standardised ((t - mean) / std); the classifier maps the standardised
// vector to a logit; score = sigmoid(logit) = probability of BLURRY.
// Loading validates everything and throws ModelError with the file name and
// the first problem found; a loaded Model is immutable and thread-safe.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "features.h"

namespace focusmeter {

class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Verdict { Clear, Blurry };
const char* verdict_name(Verdict v);  // "CLEAR" / "BLURRY"

struct Prediction {
  double score = 0;  // probability of BLURRY, in [0, 1]
  Verdict verdict = Verdict::Clear;
};

class Model {
 public:
  static constexpr int kFormatVersion = 1;

  // Parse and validate. `origin` names the source in error messages.
  static Model from_json_text(const std::string& text, const std::string& origin);
  static Model load(const std::string& path);

  const std::string& name() const;
  const std::string& origin() const;
  double threshold() const;
  // The features the model reads, in model order.
  const std::vector<Feature>& features() const;
  FeatureMask feature_mask() const;
  // The "training" object, serialised (empty object when absent).
  const std::string& training_json() const;

  // Probability of BLURRY. Throws ModelError if `fv` lacks a feature the
  // model reads (never fills in zeros).
  double score(const FeatureVector& fv) const;
  // Score and verdict; `threshold_override` < 0 means the model's own.
  Prediction predict(const FeatureVector& fv, double threshold_override = -1) const;

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

 private:
  struct Impl;
  explicit Model(std::unique_ptr<const Impl> impl);
  std::unique_ptr<const Impl> impl_;
};

// Where the element and the tools look for the model when none is named:
// $FOCUSMETER_MODEL if set, else the installed models/default.json.
std::string default_model_path();

}  // namespace focusmeter
