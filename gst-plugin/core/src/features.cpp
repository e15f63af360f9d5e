#include "focusmeter/features.h"

namespace focusmeter {
namespace {

constexpr std::string_view kNames[kFeatureCount] = {
    "laplacian_variance", "laplacian_max", "noise_sigma",
    "scharr_variance",    "brightness",    "contrast",
};

}  // namespace

std::string_view feature_name(Feature f) { return kNames[static_cast<std::size_t>(f)]; }

std::optional<Feature> feature_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kFeatureCount; ++i)
    if (kNames[i] == name) return static_cast<Feature>(i);
  return std::nullopt;
}

FeatureMask base_features() {
  FeatureMask m;
  for (std::size_t i = 0; i < kBaseFeatureCount; ++i) m.set(i);
  return m;
}

FeatureVector compute_features(const LumaView& luma, FeatureMask /*wanted*/) {
  FeatureVector fv;
  const GradientStats g = gradient_stats(luma);
  fv.set(Feature::LaplacianVariance, g.laplacian_variance);
  fv.set(Feature::LaplacianMax, g.laplacian_max);
  fv.set(Feature::NoiseSigma, noise_sigma(luma));
  fv.set(Feature::ScharrVariance, g.scharr_variance);
  fv.set(Feature::Brightness, g.brightness);
  fv.set(Feature::Contrast, g.contrast);
  return fv;
}

}  // namespace focusmeter
