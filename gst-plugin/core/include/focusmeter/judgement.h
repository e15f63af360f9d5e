// focusmeter core: a model's prediction plus the "nothing to judge" guard
// that every front end (element, check, scan, serve) applies the same way.
//
// A frame with too little structure (low_texture() in features.h: a flat
// wall, a lens cap, a black night; the thresholds are the model's) carries
// no evidence about focus, and a model scoring it would be confidently wrong
// half the time. Such a frame gets score 0.5 ("no evidence either way"), its
// verdict is what 0.5 gives against the threshold (CLEAR with the shipped
// threshold of 0.5 or more), and `low_texture` is set so that callers can
// report "nothing to judge" instead of the verdict.
#pragma once

#include <optional>

#include "features.h"
#include "model.h"

namespace focusmeter {

struct Judgement {
  Prediction prediction;
  bool low_texture = false;
};

// What a front end computes for one frame: the base features, those the
// low-texture guard needs, and the model's own (none when `model` is null).
FeatureMask judgement_features(const Model* model);

// The low-texture thresholds in effect: the model's; without a model (a
// features-only report) those of the shipped model, kFeaturesOnlyLowTexture.
const LowTextureThresholds& low_texture_thresholds(const Model* model);
constexpr LowTextureThresholds kFeaturesOnlyLowTexture{0.015, 0.003};
// low_texture(fv, low_texture_thresholds(model)).
bool is_low_texture(const FeatureVector& fv, const Model* model);

// `fv` must hold judgement_features(&model). Without `threshold`, the
// model's own. A score that is not finite gives no verdict (Prediction).
Judgement judge(const Model& model, const FeatureVector& fv, std::optional<double> threshold = std::nullopt);

}  // namespace focusmeter
