#include "focusmeter/judgement.h"

namespace focusmeter {

FeatureMask judgement_features(const Model* model) {
  FeatureMask m = base_features();  // holds Contrast and NoiseSigma for low_texture()
  m.set(static_cast<std::size_t>(Feature::Texture));
  if (model) m |= model->feature_mask();
  return m;
}

Judgement judge(const Model& model, const FeatureVector& fv, double threshold_override) {
  Judgement j;
  j.low_texture = low_texture(fv);
  if (!j.low_texture) {
    j.prediction = model.predict(fv, threshold_override);
    return j;
  }
  const double thr = threshold_override >= 0 ? threshold_override : model.threshold();
  j.prediction.score = 0.5;
  j.prediction.verdict = j.prediction.score >= thr ? Verdict::Blurry : Verdict::Clear;
  return j;
}

}  // namespace focusmeter
