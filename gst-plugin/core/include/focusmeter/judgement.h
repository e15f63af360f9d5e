// focusmeter core: one frame's judgement, the same for every front end
// (element, check, scan, serve): a verdict with its score, or no verdict
// (UNKNOWN) with a reason that is never a default CLEAR.
//
// A frame with too little structure (low_texture() in features.h: a flat
// wall, a lens cap, a black night; the thresholds are the model's) carries
// no evidence about focus, and a model scoring it would be confidently wrong
// half the time. Such a frame gets no verdict and no score; the reason says
// which case it is:
//  - TooDark: the mean luma is below kTooDarkLuma, "covered or too dark
//    (mean luma 3/255)";
//  - NoDetail: anything else, "no detail to judge focus: flat picture
//    (detail 1.2/255)", the measure that failed (the luma's deviation above
//    the noise, else the texture).
// A model whose score is not finite for the frame (NoScore) gives no verdict
// either. Callers report UNKNOWN with NoVerdict::detail as the reason.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "features.h"
#include "model.h"

namespace focusmeter {

// Why a frame (or a clip, a stream) has no verdict.
enum class NoVerdictKind {
  TooDark,   // covered lens, black night: mean luma below kTooDarkLuma
  NoDetail,  // lit, but nothing in the picture to judge focus by (wall, fog, sky)
  NoScore,   // the model's score is not finite for these features
  NoModel,   // features only, asked for (--no-model, the element's model="")
};
// "too_dark", "no_detail", "no_score", "no_model": the token reports carry.
const char* no_verdict_kind_name(NoVerdictKind k);
std::optional<NoVerdictKind> no_verdict_kind_from_name(std::string_view name);

struct NoVerdict {
  NoVerdictKind kind = NoVerdictKind::NoDetail;
  std::string detail;  // one human line naming the cause, e.g. "covered or too dark (mean luma 3/255)"
};

// Mean luma (Y/255) below which a frame with nothing to judge is called
// too dark rather than flat: about 20/255, darker than any usable night
// picture an IR camera makes.
constexpr double kTooDarkLuma = 20.0 / 255.0;

struct Judgement {
  std::optional<Verdict> verdict;       // empty: UNKNOWN
  std::optional<double> score;          // probability of BLURRY; only with a verdict
  std::optional<NoVerdict> no_verdict;  // exactly when verdict is empty
  bool low_texture = false;             // nothing to judge (TooDark or NoDetail)
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
// TooDark or NoDetail when the frame has nothing to judge; nullopt when it has.
std::optional<NoVerdict> nothing_to_judge(const FeatureVector& fv, const Model* model);

// `fv` must hold judgement_features(model). Without `threshold`, the model's
// own. A null `model` (features only) gives NoModel, low_texture still set.
Judgement judge(const Model* model, const FeatureVector& fv, std::optional<double> threshold = std::nullopt);
inline Judgement judge(const Model& model, const FeatureVector& fv, std::optional<double> threshold = std::nullopt) {
  return judge(&model, fv, threshold);
}

}  // namespace focusmeter
