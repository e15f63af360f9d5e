#include "focusmeter/model_spec.h"

#include <cmath>

namespace focusmeter {

using nlohmann::json;

namespace {

// Reads values out of the document, naming the JSON path of the first
// problem in the ModelError.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

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

  int integer(const json& v, const std::string& where) const {
    const double d = number(v, where);
    if (d != std::floor(d) || std::fabs(d) > 1e9) fail(where, "expected an integer");
    return static_cast<int>(d);
  }

  std::string string(const json& obj, const std::string& where, const char* key) const {
    const json& v = member(obj, where, key);
    if (!v.is_string()) fail(join(where, key), "expected a string, got " + std::string(v.type_name()));
    return v.get<std::string>();
  }

  std::string string_or(const json& obj, const std::string& where, const char* key, const std::string& dflt) const {
    return obj.contains(key) ? string(obj, where, key) : dflt;
  }

  const json& array(const json& obj, const std::string& where, const char* key) const {
    const json& v = member(obj, where, key);
    if (!v.is_array()) fail(join(where, key), "expected an array, got " + std::string(v.type_name()));
    return v;
  }

  std::vector<double> numbers(const json& obj, const std::string& where, const char* key) const {
    const json& arr = array(obj, where, key);
    std::vector<double> out;
    for (std::size_t i = 0; i < arr.size(); ++i) out.push_back(number(arr[i], index(join(where, key), i)));
    return out;
  }

  std::vector<int> integers(const json& obj, const std::string& where, const char* key) const {
    const json& arr = array(obj, where, key);
    std::vector<int> out;
    for (std::size_t i = 0; i < arr.size(); ++i) out.push_back(integer(arr[i], index(join(where, key), i)));
    return out;
  }

  static std::string join(const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
  }
  static std::string index(const std::string& where, std::size_t i) { return where + "[" + std::to_string(i) + "]"; }

 private:
  std::string origin_;
};

std::string known_feature_list() {
  std::string s;
  for (std::size_t i = 0; i < kFeatureCount; ++i)
    s += (i ? ", " : "") + std::string(feature_name(static_cast<Feature>(i)));
  return s;
}

FeatureSpec read_feature(const Reader& r, const json& f, const std::string& where) {
  FeatureSpec spec;
  const std::string fname = r.string(f, where, "name");
  const auto feature = feature_from_name(fname);
  if (!feature) r.fail(where + ".name", "unknown feature \"" + fname + "\" (known: " + known_feature_list() + ")");
  spec.feature = *feature;
  const std::string tr = r.string_or(f, where, "transform", "none");
  if (tr == "log") {
    spec.transform = FeatureSpec::Transform::Log;
    spec.offset = r.number(f, where, "offset");
    if (spec.offset <= 0) r.fail(where + ".offset", "must be > 0 for a log transform");
  } else if (tr != "none") {
    r.fail(where + ".transform", "unknown transform \"" + tr + "\" (known: none, log)");
  }
  spec.mean = r.number_or(f, where, "mean", 0.0);
  spec.std = r.number_or(f, where, "std", 1.0);
  if (spec.std <= 0) r.fail(where + ".std", "must be > 0");
  return spec;
}

RegressionTree read_tree(const Reader& r, const json& t, const std::string& where, std::size_t n_features) {
  RegressionTree tree;
  tree.feature = r.integers(t, where, "feature");
  tree.threshold = r.numbers(t, where, "threshold");
  tree.left = r.integers(t, where, "left");
  tree.right = r.integers(t, where, "right");
  tree.value = r.numbers(t, where, "value");
  const std::size_t nodes = tree.feature.size();
  if (nodes == 0) r.fail(where, "has no nodes");
  if (tree.threshold.size() != nodes || tree.left.size() != nodes || tree.right.size() != nodes ||
      tree.value.size() != nodes)
    r.fail(where, "feature/threshold/left/right/value must have the same length");
  for (std::size_t k = 0; k < nodes; ++k) {
    if (tree.feature[k] < 0) continue;  // leaf
    if (static_cast<std::size_t>(tree.feature[k]) >= n_features)
      r.fail(where + ".feature[" + std::to_string(k) + "]", "feature index out of range");
    // Children after their parent: walks always terminate.
    for (int child : {tree.left[k], tree.right[k]})
      if (child <= static_cast<int>(k) || static_cast<std::size_t>(child) >= nodes)
        r.fail(where + ".left/right[" + std::to_string(k) + "]", "child index must point forward inside the tree");
  }
  return tree;
}

Classifier read_classifier(const Reader& r, const json& cls, std::size_t n_features) {
  const std::string type = r.string(cls, "classifier", "type");
  if (type == "logistic_regression") {
    LogisticRegression lr;
    lr.coefficients = r.numbers(cls, "classifier", "coefficients");
    if (lr.coefficients.size() != n_features)
      r.fail("classifier.coefficients", "has " + std::to_string(lr.coefficients.size()) + " entries for " +
                                            std::to_string(n_features) + " features");
    lr.intercept = r.number(cls, "classifier", "intercept");
    return lr;
  }
  if (type == "tree_ensemble") {
    TreeEnsemble te;
    te.base_score = r.number_or(cls, "classifier", "base_score", 0.0);
    const json& trees = r.array(cls, "classifier", "trees");
    if (trees.empty()) r.fail("classifier.trees", "must hold at least one tree");
    for (std::size_t t = 0; t < trees.size(); ++t)
      te.trees.push_back(read_tree(r, trees[t], Reader::index("classifier.trees", t), n_features));
    return te;
  }
  r.fail("classifier.type", "unknown classifier \"" + type + "\" (known: logistic_regression, tree_ensemble)");
}

json classifier_json(const Classifier& c) {
  if (const auto* lr = std::get_if<LogisticRegression>(&c))
    return {{"type", "logistic_regression"}, {"coefficients", lr->coefficients}, {"intercept", lr->intercept}};
  const auto& te = std::get<TreeEnsemble>(c);
  json trees = json::array();
  for (const RegressionTree& t : te.trees)
    trees.push_back(
        {{"feature", t.feature}, {"threshold", t.threshold}, {"left", t.left}, {"right", t.right}, {"value", t.value}});
  return {{"type", "tree_ensemble"}, {"base_score", te.base_score}, {"trees", trees}};
}

}  // namespace

bool FeatureSpec::operator==(const FeatureSpec& o) const {
  return feature == o.feature && transform == o.transform && offset == o.offset && mean == o.mean && std == o.std;
}
bool LogisticRegression::operator==(const LogisticRegression& o) const {
  return coefficients == o.coefficients && intercept == o.intercept;
}
bool RegressionTree::operator==(const RegressionTree& o) const {
  return feature == o.feature && threshold == o.threshold && left == o.left && right == o.right && value == o.value;
}
bool TreeEnsemble::operator==(const TreeEnsemble& o) const { return base_score == o.base_score && trees == o.trees; }
bool ModelSpec::operator==(const ModelSpec& o) const {
  return name == o.name && description == o.description && feature_version == o.feature_version &&
         features == o.features && classifier == o.classifier && threshold == o.threshold &&
         low_texture == o.low_texture && training == o.training;
}

json ModelSpec::to_json() const {
  json doc;
  doc["format"] = kFormat;
  doc["version"] = kFormatVersion;
  doc["name"] = name;
  if (!description.empty()) doc["description"] = description;
  doc["feature_version"] = feature_version;
  json feats = json::array();
  for (const FeatureSpec& f : features) {
    json j;
    j["name"] = std::string(feature_name(f.feature));
    j["transform"] = f.transform == FeatureSpec::Transform::Log ? "log" : "none";
    if (f.transform == FeatureSpec::Transform::Log) j["offset"] = f.offset;
    j["mean"] = f.mean;
    j["std"] = f.std;
    feats.push_back(std::move(j));
  }
  doc["features"] = std::move(feats);
  doc["classifier"] = classifier_json(classifier);
  doc["threshold"] = threshold;
  doc["low_texture"] = {{"contrast", low_texture.contrast}, {"texture", low_texture.texture}};
  doc["training"] = training;
  return doc;
}

ModelSpec ModelSpec::from_json(const json& doc, const std::string& origin) {
  const Reader r(origin);
  if (!doc.is_object()) r.fail("", "expected a JSON object at the top level");
  if (r.string(doc, "", "format") != kFormat) r.fail("format", std::string("expected \"") + kFormat + "\"");
  const double version = r.number(doc, "", "version");
  if (version != kFormatVersion)
    r.fail("version", "unsupported version " + std::to_string(static_cast<long long>(version)) +
                          " (this build reads version " + std::to_string(kFormatVersion) +
                          "; version 1 files lack feature_version and low_texture, see docs/model-format.md)");

  ModelSpec spec;
  spec.name = r.string_or(doc, "", "name", "unnamed");
  spec.description = r.string_or(doc, "", "description", "");
  spec.feature_version = r.integer(r.member(doc, "", "feature_version"), "feature_version");

  const json& feats = r.array(doc, "", "features");
  if (feats.empty()) r.fail("features", "must list at least one feature");
  FeatureMask seen;
  for (std::size_t i = 0; i < feats.size(); ++i) {
    const std::string where = Reader::index("features", i);
    FeatureSpec f = read_feature(r, feats[i], where);
    const auto bit = static_cast<std::size_t>(f.feature);
    if (seen.test(bit))
      r.fail(where + ".name", "feature \"" + std::string(feature_name(f.feature)) + "\" listed twice");
    seen.set(bit);
    spec.features.push_back(f);
  }
  spec.classifier = read_classifier(r, r.member(doc, "", "classifier"), spec.features.size());

  spec.threshold = r.number_or(doc, "", "threshold", 0.5);
  if (spec.threshold < 0 || spec.threshold > 1) r.fail("threshold", "must be in [0, 1]");
  const json& lt = r.member(doc, "", "low_texture");
  spec.low_texture.contrast = r.number(lt, "low_texture", "contrast");
  spec.low_texture.texture = r.number(lt, "low_texture", "texture");
  if (spec.low_texture.contrast < 0) r.fail("low_texture.contrast", "must be >= 0");
  if (spec.low_texture.texture < 0) r.fail("low_texture.texture", "must be >= 0");
  if (doc.contains("training")) {
    if (!doc["training"].is_object()) r.fail("training", "expected an object");
    spec.training = doc["training"];
  }
  return spec;
}

}  // namespace focusmeter
