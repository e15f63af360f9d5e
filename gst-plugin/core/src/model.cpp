#include "focusmeter/model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "default_model_text.h"

namespace focusmeter {

using nlohmann::json;

const char* verdict_name(Verdict v) { return v == Verdict::Blurry ? "BLURRY" : "CLEAR"; }

namespace {

using Transform = FeatureSpec::Transform;

// Whether `text` nests arrays and objects deeper than `limit`, found without
// parsing (nlohmann's parser recurses once per level: 100 000 levels would
// overflow the stack before any check of ours could run).
bool nests_deeper_than(const std::string& text, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// The range of the standardised input for raw feature values in [0, 1].
struct Interval {
  double lo, hi;
};
Interval standardised_on_unit_box(const FeatureSpec& f) {
  double lo = 0, hi = 1;
  if (f.transform == Transform::Log) lo = std::log(f.offset), hi = std::log(1 + f.offset);
  return {(lo - f.mean) / f.std, (hi - f.mean) / f.std};
}

// Far enough below DBL_MAX that the rounding of a sum of terms bounded by
// it cannot overflow.
constexpr double kLogitBound = 1e300;

// Refuses a model whose logit can overflow or become NaN for some feature
// vector in the unit box (every raw feature in [0, 1]): interval arithmetic
// over the box bounds every partial sum the scorer computes.
void check_finite_on_unit_box(const ModelSpec& spec, const std::string& origin) {
  auto fail = [&](const std::string& what) {
    throw ModelError(origin + ": " + what + " (the score would not be finite for some features in [0, 1])");
  };
  std::vector<Interval> x;
  for (std::size_t i = 0; i < spec.features.size(); ++i) {
    const Interval v = standardised_on_unit_box(spec.features[i]);
    if (!(std::fabs(v.lo) <= kLogitBound && std::fabs(v.hi) <= kLogitBound))
      fail("features[" + std::to_string(i) + "]: mean/std/offset out of range");
    x.push_back(v);
  }
  if (const auto* lr = std::get_if<LogisticRegression>(&spec.classifier)) {
    double bound = std::fabs(lr->intercept);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double c = lr->coefficients[i];
      bound += std::max(std::fabs(c * x[i].lo), std::fabs(c * x[i].hi));
      if (!(bound <= kLogitBound)) fail("classifier.coefficients[" + std::to_string(i) + "]: out of range");
    }
    return;
  }
  const auto& te = std::get<TreeEnsemble>(spec.classifier);
  double bound = std::fabs(te.base_score);
  for (std::size_t t = 0; t < te.trees.size(); ++t) {
    double leaf = 0;
    for (double v : te.trees[t].value) leaf = std::max(leaf, std::fabs(v));
    bound += leaf;
    if (!(bound <= kLogitBound)) fail("classifier.trees[" + std::to_string(t) + "].value: out of range");
  }
}

}  // namespace

struct Model::Impl {
  std::string origin;
  ModelSpec spec;
  std::vector<Feature> features;
  FeatureMask mask;
  std::string training;

  double logit(const std::vector<double>& x) const {
    if (const auto* lr = std::get_if<LogisticRegression>(&spec.classifier)) {
      double z = lr->intercept;
      for (std::size_t i = 0; i < x.size(); ++i) z += lr->coefficients[i] * x[i];
      return z;
    }
    const auto& te = std::get<TreeEnsemble>(spec.classifier);
    double z = te.base_score;
    for (const RegressionTree& t : te.trees) {
      int node = 0;
      while (t.feature[node] >= 0) node = x[t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
      z += t.value[node];
    }
    return z;
  }
};

Model::Model(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::from_spec(ModelSpec spec, const std::string& origin) {
  // Re-validated through its own JSON: a spec built in code meets exactly
  // the rules a file does.
  spec = ModelSpec::from_json(spec.to_json(), origin);
  if (spec.feature_version != kFeatureVersion)
    throw ModelError(origin + ": feature_version: the model was made for feature definitions version " +
                     std::to_string(spec.feature_version) + ", this build computes version " +
                     std::to_string(kFeatureVersion) + " (docs/features.md); retrain it with this build");
  check_finite_on_unit_box(spec, origin);
  auto impl = std::make_unique<Impl>();
  impl->origin = origin;
  for (const FeatureSpec& f : spec.features) {
    impl->features.push_back(f.feature);
    impl->mask.set(static_cast<std::size_t>(f.feature));
  }
  impl->training = spec.training.dump();
  impl->spec = std::move(spec);
  return Model(std::move(impl));
}

Model Model::from_json_text(const std::string& text, const std::string& origin) {
  if (text.size() > kMaxFileBytes)
    throw ModelError(origin + ": larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB; not a model file");
  if (nests_deeper_than(text, kMaxJsonDepth))
    throw ModelError(origin + ": nested deeper than " + std::to_string(kMaxJsonDepth) + " levels; not a model file");
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers like 1e400
    throw ModelError(origin + ": not valid JSON (" + e.what() + ")");
  }
  return from_spec(ModelSpec::from_json(doc, origin), origin);
}

Model Model::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileMissing(path + ": cannot open model file (missing or unreadable)");
  // Read at most one byte past the limit: a huge file (or /dev/zero) is
  // refused without being read whole.
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw ModelError(path + ": cannot read model file");
  text.resize(static_cast<std::size_t>(in.gcount()));
  return from_json_text(text, path);
}

const std::string& Model::name() const { return impl_->spec.name; }
const std::string& Model::origin() const { return impl_->origin; }
double Model::threshold() const { return impl_->spec.threshold; }
const LowTextureThresholds& Model::low_texture_thresholds() const { return impl_->spec.low_texture; }
const ModelSpec& Model::spec() const { return impl_->spec; }
const std::vector<Feature>& Model::features() const { return impl_->features; }
FeatureMask Model::feature_mask() const { return impl_->mask; }
const std::string& Model::training_json() const { return impl_->training; }

double Model::score(const FeatureVector& fv) const {
  std::vector<double> x;
  x.reserve(impl_->spec.features.size());
  for (const FeatureSpec& s : impl_->spec.features) {
    if (!fv.has(s.feature))
      throw ModelError(impl_->origin + ": feature \"" + std::string(feature_name(s.feature)) +
                       "\" is missing from the input");
    double t = fv[s.feature];
    if (s.transform == Transform::Log) t = std::log(std::max(t, 0.0) + s.offset);
    x.push_back((t - s.mean) / s.std);
  }
  const double z = impl_->logit(x);
  return 1.0 / (1.0 + std::exp(-z));
}

Prediction Model::predict(const FeatureVector& fv, std::optional<double> threshold) const {
  Prediction p;
  p.score = score(fv);
  if (!std::isfinite(p.score)) {
    p.no_verdict = "the model's score is not finite for these features (" + impl_->origin + ")";
    return p;
  }
  p.verdict = p.score >= threshold.value_or(impl_->spec.threshold) ? Verdict::Blurry : Verdict::Clear;
  return p;
}

std::shared_ptr<const Model> default_model() {
  // Parsed once (a function-local static is initialised thread-safely); a
  // failure throws again on every call rather than caching a null model.
  static const std::shared_ptr<const Model> model = std::make_shared<const Model>(
      Model::from_json_text(std::string(detail::default_model_text()), kCompiledInModelOrigin));
  return model;
}

std::optional<std::string> environment_model_path() {
  if (const char* env = std::getenv("FOCUSMETER_MODEL"); env && *env) return std::string(env);
  return std::nullopt;
}

std::shared_ptr<const Model> select_model(const std::optional<std::string>& named) {
  if (const std::optional<std::string> path = named ? named : environment_model_path())
    return std::make_shared<const Model>(Model::load(*path));
  return default_model();
}

}  // namespace focusmeter
