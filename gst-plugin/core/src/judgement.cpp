#include "focusmeter/judgement.h"

namespace focusmeter {

FeatureMask judgement_features(const Model* model) {
  FeatureMask m = base_features();  // holds Contrast and NoiseSigma for low_texture()
  m.set(static_cast<std::size_t>(Feature::Texture));
  if (model) m |= model->feature_mask();
  return m;
}

const LowTextureThresholds& low_texture_thresholds(const Model* model) {
  return model ? model->low_texture_thresholds() : kFeaturesOnlyLowTexture;
}

bool is_low_texture(const FeatureVector& fv, const Model* model) {
  return low_texture(fv, low_texture_thresholds(model));
}

Judgement judge(const Model& model, const FeatureVector& fv, std::optional<double> threshold) {
  Judgement j;
  j.low_texture = is_low_texture(fv, &model);
  if (!j.low_texture) {
    j.prediction = model.predict(fv, threshold);
    return j;
  }
  j.prediction.score = 0.5;
  j.prediction.verdict = j.prediction.score >= threshold.value_or(model.threshold()) ? Verdict::Blurry : Verdict::Clear;
  return j;
}

}  // namespace focusmeter
