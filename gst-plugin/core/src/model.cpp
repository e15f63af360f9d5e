#include "focusmeter/model.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace focusmeter {

using nlohmann::json;

const char* verdict_name(Verdict v) { return v == Verdict::Blurry ? "BLURRY" : "CLEAR"; }

namespace {

enum class Transform { None, Log };

struct FeatureSpec {
  Feature feature;
  Transform transform = Transform::None;
  double offset = 0;
  double mean = 0;
  double std = 1;
};

// One regression tree in flat arrays; feature < 0 marks a leaf.
struct Tree {
  std::vector<int> feature;
  std::vector<double> threshold;
  std::vector<int> left, right;
  std::vector<double> value;
};

// Collects the JSON path of the value being validated for error messages.
class Validator {
 public:
  explicit Validator(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw ModelError(origin_ + ": " + (where.empty() ? "" : where + ": ") + what);
  }

  const json& member(const json& obj, const std::string& where, const char* key) const {
    if (!obj.is_object()) fail(where, "expected an object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(where, std::string("missing key \"") + key + "\"");
    return *it;
  }

  double number(const json& v, const std::string& where) const {
    if (!v.is_number()) fail(where, "expected a number, got " + std::string(v.type_name()));
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(where, "must be finite");
    return d;
  }

  double number(const json& obj, const std::string& where, const char* key) const {
    return number(member(obj, where, key), join(where, key));
  }

  double number_or(const json& obj, const std::string& where, const char* key, double dflt) const {
    return obj.contains(key) ? number(obj, where, key) : dflt;
  }

  std::string string(const json& obj, const std::string& where, const char* key) const {
    const json& v = member(obj, where, key);
    if (!v.is_string()) fail(join(where, key), "expected a string, got " + std::string(v.type_name()));
    return v.get<std::string>();
  }

  const json& array(const json& obj, const std::string& where, const char* key) const {
    const json& v = member(obj, where, key);
    if (!v.is_array()) fail(join(where, key), "expected an array, got " + std::string(v.type_name()));
    return v;
  }

  static std::string join(const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
  }
  static std::string index(const std::string& where, std::size_t i) { return where + "[" + std::to_string(i) + "]"; }

 private:
  std::string origin_;
};

std::vector<double> numbers(const Validator& v, const json& arr, const std::string& where) {
  std::vector<double> out;
  for (std::size_t i = 0; i < arr.size(); ++i) out.push_back(v.number(arr[i], Validator::index(where, i)));
  return out;
}

std::vector<int> indices(const Validator& v, const json& arr, const std::string& where) {
  std::vector<int> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const double d = v.number(arr[i], Validator::index(where, i));
    if (d != std::floor(d) || std::fabs(d) > 1e9) v.fail(Validator::index(where, i), "expected an integer");
    out.push_back(static_cast<int>(d));
  }
  return out;
}

std::string known_feature_list() {
  std::string s;
  for (std::size_t i = 0; i < kFeatureCount; ++i)
    s += (i ? ", " : "") + std::string(feature_name(static_cast<Feature>(i)));
  return s;
}

}  // namespace

struct Model::Impl {
  std::string origin;
  std::string name;
  std::vector<FeatureSpec> specs;
  std::vector<Feature> features;
  FeatureMask mask;
  bool logistic = true;
  std::vector<double> coefficients;
  double intercept = 0;
  double base_score = 0;
  std::vector<Tree> trees;
  double threshold = 0.5;
  std::string training;

  double logit(const std::vector<double>& x) const {
    if (logistic) {
      double z = intercept;
      for (std::size_t i = 0; i < x.size(); ++i) z += coefficients[i] * x[i];
      return z;
    }
    double z = base_score;
    for (const Tree& t : trees) {
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

Model Model::from_json_text(const std::string& text, const std::string& origin) {
  Validator v(origin);
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    v.fail("", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) v.fail("", "expected a JSON object at the top level");

  auto impl = std::make_unique<Impl>();
  impl->origin = origin;
  if (v.string(doc, "", "format") != "focusmeter-model") v.fail("format", "expected \"focusmeter-model\"");
  const double version = v.number(doc, "", "version");
  if (version != kFormatVersion)
    v.fail("version", "unsupported version " + std::to_string(static_cast<long long>(version)) +
                          " (this build reads version " + std::to_string(kFormatVersion) + ")");
  impl->name = doc.contains("name") ? v.string(doc, "", "name") : "unnamed";

  const json& feats = v.array(doc, "", "features");
  if (feats.empty()) v.fail("features", "must list at least one feature");
  for (std::size_t i = 0; i < feats.size(); ++i) {
    const std::string where = Validator::index("features", i);
    FeatureSpec spec{};
    const std::string fname = v.string(feats[i], where, "name");
    const auto f = feature_from_name(fname);
    if (!f) v.fail(where + ".name", "unknown feature \"" + fname + "\" (known: " + known_feature_list() + ")");
    if (impl->mask.test(static_cast<std::size_t>(*f)))
      v.fail(where + ".name", "feature \"" + fname + "\" listed twice");
    spec.feature = *f;
    const std::string tr = feats[i].contains("transform") ? v.string(feats[i], where, "transform") : "none";
    if (tr == "log") {
      spec.transform = Transform::Log;
      spec.offset = v.number(feats[i], where, "offset");
      if (spec.offset <= 0) v.fail(where + ".offset", "must be > 0 for a log transform");
    } else if (tr != "none") {
      v.fail(where + ".transform", "unknown transform \"" + tr + "\" (known: none, log)");
    }
    spec.mean = v.number_or(feats[i], where, "mean", 0.0);
    spec.std = v.number_or(feats[i], where, "std", 1.0);
    if (spec.std <= 0) v.fail(where + ".std", "must be > 0");
    impl->specs.push_back(spec);
    impl->features.push_back(spec.feature);
    impl->mask.set(static_cast<std::size_t>(spec.feature));
  }
  const std::size_t n = impl->specs.size();

  const json& cls = v.member(doc, "", "classifier");
  const std::string type = v.string(cls, "classifier", "type");
  if (type == "logistic_regression") {
    impl->logistic = true;
    impl->coefficients = numbers(v, v.array(cls, "classifier", "coefficients"), "classifier.coefficients");
    if (impl->coefficients.size() != n)
      v.fail("classifier.coefficients",
             "has " + std::to_string(impl->coefficients.size()) + " entries for " + std::to_string(n) + " features");
    impl->intercept = v.number(cls, "classifier", "intercept");
  } else if (type == "tree_ensemble") {
    impl->logistic = false;
    impl->base_score = v.number_or(cls, "classifier", "base_score", 0.0);
    const json& trees = v.array(cls, "classifier", "trees");
    if (trees.empty()) v.fail("classifier.trees", "must hold at least one tree");
    for (std::size_t t = 0; t < trees.size(); ++t) {
      const std::string where = Validator::index("classifier.trees", t);
      Tree tree;
      tree.feature = indices(v, v.array(trees[t], where, "feature"), where + ".feature");
      tree.threshold = numbers(v, v.array(trees[t], where, "threshold"), where + ".threshold");
      tree.left = indices(v, v.array(trees[t], where, "left"), where + ".left");
      tree.right = indices(v, v.array(trees[t], where, "right"), where + ".right");
      tree.value = numbers(v, v.array(trees[t], where, "value"), where + ".value");
      const std::size_t nodes = tree.feature.size();
      if (nodes == 0) v.fail(where, "has no nodes");
      if (tree.threshold.size() != nodes || tree.left.size() != nodes || tree.right.size() != nodes ||
          tree.value.size() != nodes)
        v.fail(where, "feature/threshold/left/right/value must have the same length");
      for (std::size_t k = 0; k < nodes; ++k) {
        if (tree.feature[k] < 0) continue;  // leaf
        if (static_cast<std::size_t>(tree.feature[k]) >= n)
          v.fail(where + ".feature[" + std::to_string(k) + "]", "feature index out of range");
        // Children after their parent: walks always terminate.
        for (int child : {tree.left[k], tree.right[k]})
          if (child <= static_cast<int>(k) || static_cast<std::size_t>(child) >= nodes)
            v.fail(where + ".left/right[" + std::to_string(k) + "]", "child index must point forward inside the tree");
      }
      impl->trees.push_back(std::move(tree));
    }
  } else {
    v.fail("classifier.type", "unknown classifier \"" + type + "\" (known: logistic_regression, tree_ensemble)");
  }

  impl->threshold = v.number_or(doc, "", "threshold", 0.5);
  if (impl->threshold < 0 || impl->threshold > 1) v.fail("threshold", "must be in [0, 1]");
  impl->training = doc.contains("training") ? doc["training"].dump() : "{}";
  return Model(std::move(impl));
}

Model Model::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError(path + ": cannot open model file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ModelError(path + ": cannot read model file");
  return from_json_text(text.str(), path);
}

const std::string& Model::name() const { return impl_->name; }
const std::string& Model::origin() const { return impl_->origin; }
double Model::threshold() const { return impl_->threshold; }
const std::vector<Feature>& Model::features() const { return impl_->features; }
FeatureMask Model::feature_mask() const { return impl_->mask; }
const std::string& Model::training_json() const { return impl_->training; }

double Model::score(const FeatureVector& fv) const {
  std::vector<double> x;
  x.reserve(impl_->specs.size());
  for (const FeatureSpec& s : impl_->specs) {
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

Prediction Model::predict(const FeatureVector& fv, double threshold_override) const {
  Prediction p;
  p.score = score(fv);
  const double thr = threshold_override >= 0 ? threshold_override : impl_->threshold;
  p.verdict = p.score >= thr ? Verdict::Blurry : Verdict::Clear;
  return p;
}

std::string default_model_path() {
  if (const char* env = std::getenv("FOCUSMETER_MODEL"); env && *env) return env;
  return FOCUSMETER_DEFAULT_MODEL;
}

}  // namespace focusmeter
