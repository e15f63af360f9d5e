#include "train/trainer.h"

#include <cmath>
#include <stdexcept>

#include "train/logistic.h"

namespace focusmeter::train {
namespace {

// Scale-like features are compared on a log scale (focus changes them by
// factors); bounded ones stay linear. The offset keeps ln finite at 0 and is
// far below any value a real frame gives, except for the noise level.
struct Transform {
  bool log;
  double offset;
};

Transform transform_for(Feature f) {
  switch (f) {
    case Feature::LaplacianVariance:
      return {true, 1e-8};
    case Feature::LaplacianMax:
      return {true, 1e-4};
    case Feature::NoiseSigma:
      return {true, 1e-3};
    case Feature::ScharrVariance:
      return {true, 1e-8};
    case Feature::LaplacianRatio2x:
      return {true, 1e-3};
    case Feature::LaplacianRatio4x:
      return {true, 1e-3};
    case Feature::EdgeSharpness:
      return {true, 1e-3};
    case Feature::Texture:
      return {true, 1e-4};
    case Feature::Brightness:
    case Feature::Contrast:
    case Feature::BlurEffect:
    case Feature::Count:
      break;
  }
  return {false, 0};
}

double transformed(Feature f, double v) {
  const Transform t = transform_for(f);
  return t.log ? std::log(std::max(v, 0.0) + t.offset) : v;
}

std::uint64_t fnv1a(const std::string& s, std::uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::vector<Feature> default_model_features() {
  return {Feature::LaplacianVariance, Feature::NoiseSigma,       Feature::ScharrVariance, Feature::Contrast,
          Feature::LaplacianRatio2x,  Feature::LaplacianRatio4x, Feature::EdgeSharpness,  Feature::BlurEffect};
}

bool is_held_out(const std::string& source, unsigned long long seed, double fraction) {
  const std::uint64_t h = fnv1a(source, fnv1a(std::to_string(seed)));
  return static_cast<double>(h % 10000) < fraction * 10000.0;
}

nlohmann::json fit_model(const std::vector<const Sample*>& train, const TrainOptions& opt) {
  const std::size_t d = opt.features.size();
  std::vector<std::vector<double>> x;
  std::vector<int> y;
  std::size_t n_blurry = 0;
  for (const Sample* s : train) {
    if (s->label == Label::Ambiguous) continue;
    std::vector<double> row(d);
    for (std::size_t j = 0; j < d; ++j) row[j] = transformed(opt.features[j], s->features[opt.features[j]]);
    x.push_back(std::move(row));
    y.push_back(s->label == Label::Blurry);
    n_blurry += s->label == Label::Blurry;
  }
  const std::size_t n = x.size();
  if (n_blurry == 0 || n_blurry == n) throw std::runtime_error("training needs both CLEAR and BLURRY images");

  std::vector<double> mean(d, 0), sd(d, 0);
  for (const auto& r : x)
    for (std::size_t j = 0; j < d; ++j) mean[j] += r[j] / static_cast<double>(n);
  for (const auto& r : x)
    for (std::size_t j = 0; j < d; ++j) sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / static_cast<double>(n);
  for (std::size_t j = 0; j < d; ++j) sd[j] = sd[j] > 1e-24 ? std::sqrt(sd[j]) : 1.0;
  for (auto& r : x)
    for (std::size_t j = 0; j < d; ++j) r[j] = (r[j] - mean[j]) / sd[j];

  // Balanced classes: each class weighs n/2 in total.
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i)
    w[i] = 0.5 * static_cast<double>(n) / static_cast<double>(y[i] ? n_blurry : n - n_blurry);
  const LogisticFit fit = fit_logistic(x, y, w, opt.l2);

  nlohmann::json doc;
  doc["format"] = "focusmeter-model";
  doc["version"] = 1;
  doc["name"] = opt.name;
  doc["description"] =
      "Probability that a frame is out of focus, from content-normalised focus features "
      "(logistic regression; see models/README.md).";
  nlohmann::json feats = nlohmann::json::array();
  for (std::size_t j = 0; j < d; ++j) {
    const Transform t = transform_for(opt.features[j]);
    nlohmann::json f;
    f["name"] = std::string(feature_name(opt.features[j]));
    f["transform"] = t.log ? "log" : "none";
    if (t.log) f["offset"] = t.offset;
    f["mean"] = mean[j];
    f["std"] = sd[j];
    feats.push_back(f);
  }
  doc["features"] = feats;
  doc["classifier"] = {{"type", "logistic_regression"}, {"coefficients", fit.coefficients},
                       {"intercept", fit.intercept},    {"l2", opt.l2},
                       {"iterations", fit.iterations},  {"converged", fit.converged}};
  doc["threshold"] = opt.threshold;
  return doc;
}

}  // namespace focusmeter::train
