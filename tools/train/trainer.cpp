#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "focusmeter/model.h"
#include "train/evaluation.h"
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
    case Feature::EdgeSharpness2x:
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
  // Each one raises held-out accuracy over five source splits
  // (models/README.md, ablation table); laplacian_max, noise_sigma,
  // brightness and texture did not. noise_sigma still enters through the
  // noise-compensated features.
  return {Feature::LaplacianVariance, Feature::ScharrVariance, Feature::Contrast,        Feature::LaplacianRatio2x,
          Feature::LaplacianRatio4x,  Feature::EdgeSharpness,  Feature::EdgeSharpness2x, Feature::BlurEffect};
}

bool is_held_out(const std::string& source, unsigned long long seed, double fraction) {
  const std::uint64_t h = fnv1a(source, fnv1a(std::to_string(seed)));
  return static_cast<double>(h % 10000) < fraction * 10000.0;
}

ModelSpec fit_model(const std::vector<const Sample*>& train, const TrainOptions& opt, nlohmann::json* fit_info) {
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

  ModelSpec spec;
  spec.name = opt.name;
  spec.description =
      "Probability that a frame is out of focus, from content-normalised focus features "
      "(see models/README.md).";
  spec.feature_version = kFeatureVersion;
  for (std::size_t j = 0; j < d; ++j) {
    const Transform t = transform_for(opt.features[j]);
    FeatureSpec f;
    f.feature = opt.features[j];
    f.transform = t.log ? FeatureSpec::Transform::Log : FeatureSpec::Transform::None;
    f.offset = t.log ? t.offset : 0;
    f.mean = mean[j];
    f.std = sd[j];
    spec.features.push_back(f);
  }
  spec.threshold = opt.threshold;
  spec.low_texture = kTrainedLowTexture;
  if (opt.trees) {
    spec.classifier = fit_boosted_trees(x, y, w, opt.boosting);
    if (fit_info)
      *fit_info = {{"method", "gradient-boosted trees"},
                   {"trees", opt.boosting.trees},
                   {"depth", opt.boosting.depth},
                   {"learning_rate", opt.boosting.learning_rate},
                   {"lambda", opt.boosting.lambda}};
    return spec;
  }
  const LogisticFit fit = fit_logistic(x, y, w, opt.l2);
  spec.classifier = LogisticRegression{fit.coefficients, fit.intercept};
  if (fit_info)
    *fit_info = {{"method", "logistic regression (Newton/IRLS)"},
                 {"l2", opt.l2},
                 {"iterations", fit.iterations},
                 {"converged", fit.converged}};
  return spec;
}

namespace {

// Applies z -> a z + b to the classifier's logit, in place.
void rescale_logit(Classifier& cls, double a, double b) {
  if (auto* lr = std::get_if<LogisticRegression>(&cls)) {
    for (double& c : lr->coefficients) c = a * c;
    lr->intercept = a * lr->intercept + b;
    return;
  }
  auto& te = std::get<TreeEnsemble>(cls);
  te.base_score = a * te.base_score + b;
  for (RegressionTree& t : te.trees)
    for (double& v : t.value) v = a * v;
}

double logit_of(double p) {
  p = std::clamp(p, 1e-9, 1 - 1e-9);
  return std::log(p / (1 - p));
}

}  // namespace

int cv_fold(const std::string& source, const TrainOptions& opt) {
  return static_cast<int>(fnv1a(source, fnv1a("fold" + std::to_string(opt.seed))) %
                          static_cast<std::uint64_t>(std::max(1, opt.folds)));
}

ModelSpec fit_calibrated_model(const std::vector<const Sample*>& train, const TrainOptions& opt, nlohmann::json& meta) {
  // Out-of-fold logits, folds by source photo.
  std::vector<double> oof(train.size(), 0);
  std::vector<bool> have(train.size(), false);
  for (int k = 0; k < opt.folds; ++k) {
    std::vector<const Sample*> fit_part;
    std::vector<std::size_t> test_part;
    for (std::size_t i = 0; i < train.size(); ++i) {
      const bool out = cv_fold(train[i]->source, opt) == k;
      if (out)
        test_part.push_back(i);
      else
        fit_part.push_back(train[i]);
    }
    if (test_part.empty()) continue;
    bool c = false, b = false;
    for (const Sample* s : fit_part) c |= s->label == Label::Clear, b |= s->label == Label::Blurry;
    if (!c || !b) continue;
    const Model m = Model::from_spec(fit_model(fit_part, opt), "fold");
    for (std::size_t i : test_part) {
      oof[i] = logit_of(m.score(train[i]->features));
      have[i] = true;
    }
  }

  // Platt scaling on the out-of-fold logits.
  std::vector<std::vector<double>> x;
  std::vector<int> y;
  std::vector<double> w;
  for (std::size_t i = 0; i < train.size(); ++i) {
    if (!have[i] || train[i]->label == Label::Ambiguous) continue;
    x.push_back({oof[i]});
    y.push_back(train[i]->label == Label::Blurry);
    w.push_back(1.0);
  }
  double a = 1, b = 0;
  bool clear = false, blurry = false;
  for (int v : y) clear |= v == 0, blurry |= v == 1;
  if (clear && blurry) {
    const LogisticFit platt = fit_logistic(x, y, w, 1e-6);
    a = platt.coefficients[0];
    b = platt.intercept;
  }

  // Threshold: best out-of-fold balanced accuracy on the target task with
  // false alarms <= max_false_alarms (or else the fewest false alarms).
  double threshold = opt.threshold;
  double best_ba = -1, best_fa = 2;
  if (opt.auto_threshold && clear && blurry) {
    for (int t = 30; t <= 95; ++t) {
      const double thr = t / 100.0;
      std::size_t nc = 0, nb = 0, fa = 0, det = 0;
      for (std::size_t i = 0; i < train.size(); ++i) {
        if (!have[i] || !in_target(*train[i])) continue;
        const bool said = sigmoid(a * oof[i] + b) >= thr;
        if (train[i]->label == Label::Clear)
          ++nc, fa += said;
        else
          ++nb, det += said;
      }
      if (!nc || !nb) break;
      const double far = static_cast<double>(fa) / nc;
      const double ba = 0.5 * (1 - far + static_cast<double>(det) / nb);
      const bool ok = far <= opt.max_false_alarms;
      const bool best_ok = best_fa <= opt.max_false_alarms;
      if ((ok && (!best_ok || ba > best_ba)) || (!ok && !best_ok && far < best_fa)) {
        best_ba = ba;
        best_fa = far;
        threshold = thr;
      }
    }
  }

  TrainOptions final_opt = opt;
  final_opt.threshold = threshold;
  nlohmann::json fit;
  ModelSpec spec = fit_model(train, final_opt, &fit);
  rescale_logit(spec.classifier, a, b);
  meta["fit"] = fit;
  meta["calibration"] = {{"method", "Platt scaling of out-of-fold logits, folds by source photo"},
                         {"folds", opt.folds},
                         {"a", a},
                         {"b", b}};
  meta["threshold_choice"] = {{"automatic", opt.auto_threshold},
                              {"threshold", threshold},
                              {"max_false_alarms", opt.max_false_alarms},
                              {"out_of_fold_target_balanced_accuracy", best_ba},
                              {"out_of_fold_target_false_alarms", best_fa}};
  return spec;
}

}  // namespace focusmeter::train
