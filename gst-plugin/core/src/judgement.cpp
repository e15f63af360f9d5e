#include "focusmeter/judgement.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace focusmeter {

const char* no_verdict_kind_name(NoVerdictKind k) {
  switch (k) {
    case NoVerdictKind::TooDark:
      return "too_dark";
    case NoVerdictKind::NoDetail:
      return "no_detail";
    case NoVerdictKind::NoScore:
      return "no_score";
    case NoVerdictKind::NoModel:
      return "no_model";
  }
  return "no_detail";
}

std::optional<NoVerdictKind> no_verdict_kind_from_name(std::string_view name) {
  for (const NoVerdictKind k :
       {NoVerdictKind::TooDark, NoVerdictKind::NoDetail, NoVerdictKind::NoScore, NoVerdictKind::NoModel})
    if (name == no_verdict_kind_name(k)) return k;
  return std::nullopt;
}

FeatureMask judgement_features(const Model* model) {
  FeatureMask m = base_features();  // holds Brightness, Contrast and NoiseSigma for the guard
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

namespace {

// "3/255": a luma level in the units people read off a histogram.
std::string levels(double y) {
  char buf[32];
  const double v = y * 255.0;
  std::snprintf(buf, sizeof buf, v < 10 && v != std::floor(v) ? "%.1f/255" : "%.0f/255", v);
  return buf;
}

}  // namespace

std::optional<NoVerdict> nothing_to_judge(const FeatureVector& fv, const Model* model) {
  if (!is_low_texture(fv, model)) return std::nullopt;
  const double luma = fv.has(Feature::Brightness) ? fv[Feature::Brightness] : 0.0;
  if (luma < kTooDarkLuma)
    return NoVerdict{NoVerdictKind::TooDark, "covered or too dark (mean luma " + levels(luma) + ")"};
  // The measure that failed: the luma's deviation above the sensor noise
  // (a wall, fog, pure noise), else the texture of the 4x downscale (a
  // smooth gradient) — the detail there is to judge focus by.
  const double c = fv[Feature::Contrast], n = fv[Feature::NoiseSigma];
  const double signal = std::sqrt(std::max(0.0, c * c - n * n));
  const double detail = signal < low_texture_thresholds(model).contrast ? signal : fv[Feature::Texture];
  return NoVerdict{NoVerdictKind::NoDetail, "no detail to judge focus: flat picture (detail " + levels(detail) + ")"};
}

Judgement judge(const Model* model, const FeatureVector& fv, std::optional<double> threshold) {
  Judgement j;
  std::optional<NoVerdict> nothing = nothing_to_judge(fv, model);
  j.low_texture = nothing.has_value();
  // Features only was asked for: that, not the picture, is why there is no verdict.
  if (!model) {
    j.no_verdict = NoVerdict{NoVerdictKind::NoModel, "features only (no model asked for)"};
    return j;
  }
  if (nothing) {
    j.no_verdict = std::move(nothing);
    return j;
  }
  Prediction p = model->predict(fv, threshold);
  if (!p.verdict) {
    j.no_verdict = NoVerdict{NoVerdictKind::NoScore, std::move(p.no_verdict)};
    return j;
  }
  j.verdict = p.verdict;
  j.score = p.score;
  return j;
}

}  // namespace focusmeter
