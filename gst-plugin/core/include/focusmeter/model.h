// focusmeter core: the focus model, loaded and validated, and its inference.
//
// The file format is ModelSpec (model_spec.h, docs/model-format.md). Each
// feature is transformed (none: x; log: ln(max(x, 0) + offset)), then
// standardised ((t - mean) / std); the classifier maps the standardised
// vector to a logit; score = sigmoid(logit) = probability of BLURRY.
//
// Loading refuses, with one ModelError line naming the origin and the first
// problem: text over kMaxFileBytes or nested deeper than kMaxJsonDepth
// (checked before parsing, so hostile files cost nothing), anything that is
// not JSON (including numbers out of double range such as 1e400), a spec
// that does not validate, a model made for other feature definitions
// (feature_version != kFeatureVersion), and a model whose score can be
// non-finite for features in the unit box (every input in [0, 1]). A loaded
// Model is immutable and thread-safe; tools share one as
// std::shared_ptr<const Model> (the element's `model-object` property too).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "features.h"
#include "model_spec.h"

namespace focusmeter {

enum class Verdict { Clear, Blurry };
const char* verdict_name(Verdict v);  // "CLEAR" / "BLURRY"

// A model's answer for one frame. A score that is not finite (a model with
// extreme values meeting extreme features) gives no verdict, never a
// default one: `verdict` is empty and `no_verdict` says why.
struct Prediction {
  double score = 0;                // probability of BLURRY, in [0, 1] when there is a verdict
  std::optional<Verdict> verdict;  // empty: no verdict
  std::string no_verdict;          // why there is no verdict (empty with one)
};

class Model {
 public:
  static constexpr int kFormatVersion = ModelSpec::kFormatVersion;
  static constexpr std::size_t kMaxFileBytes = 16u << 20;  // the shipped model is about 10 KB
  static constexpr int kMaxJsonDepth = 64;                 // the format itself nests 4 deep

  // Parse and validate. `origin` names the source in error messages.
  static Model from_json_text(const std::string& text, const std::string& origin);
  static Model load(const std::string& path);
  // Validate a spec built in code (the trainer's).
  static Model from_spec(ModelSpec spec, const std::string& origin);

  const std::string& name() const;
  const std::string& origin() const;
  double threshold() const;
  const LowTextureThresholds& low_texture_thresholds() const;
  // The validated file content.
  const ModelSpec& spec() const;
  // The features the model reads, in model order.
  const std::vector<Feature>& features() const;
  FeatureMask feature_mask() const;
  // The "training" object, serialised (empty object when absent).
  const std::string& training_json() const;

  // Probability of BLURRY; NaN when the logit is not a number. Throws
  // ModelError if `fv` lacks a feature the model reads (never fills in zeros).
  double score(const FeatureVector& fv) const;
  // Score and verdict against `threshold`, or the model's own without one.
  Prediction predict(const FeatureVector& fv, std::optional<double> threshold = std::nullopt) const;

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
