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

// Model::load's error when the file does not exist or cannot be opened (a
// wrong name: the tools exit 64, EX_USAGE); every other ModelError is a file
// that is there but is not a valid model (exit 65, EX_DATAERR).
class ModelFileMissing : public ModelError {
 public:
  using ModelError::ModelError;
};

// The compiled-in model: models/default.json as it was at build time
// (embedded by tools/scripts/embed-model.py), parsed and validated like a
// file on the first call, then shared (thread-safe). Its origin() is
// kCompiledInModelOrigin. Throws ModelError only when the build embedded an
// invalid file, which the unit tests rule out.
inline constexpr const char* kCompiledInModelOrigin = "compiled-in default model (models/default.json)";
std::shared_ptr<const Model> default_model();

// $FOCUSMETER_MODEL when set and not empty.
std::optional<std::string> environment_model_path();

// The one order in which every front end (the element, each command) picks
// its model:
//   1. `named`: the file the caller names (--model FILE, the element's
//      `model` property);
//   2. else $FOCUSMETER_MODEL when set and not empty;
//   3. else the compiled-in default_model().
// A model named in 1 or 2 must load: a missing file throws ModelFileMissing,
// an invalid one ModelError; there is never a silent fall-back to another
// model or to features only (asking for features only is the caller's own
// option, e.g. --no-model).
std::shared_ptr<const Model> select_model(const std::optional<std::string>& named);

}  // namespace focusmeter
