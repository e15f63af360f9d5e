#include "focusmeter/features.h"

#include <algorithm>
#include <cmath>

#include "feature_rules.h"

namespace focusmeter {
namespace {

constexpr std::string_view kNames[kFeatureCount] = {
    "laplacian_variance", "laplacian_max",      "noise_sigma",    "scharr_variance", "brightness", "contrast",
    "laplacian_ratio_2x", "laplacian_ratio_4x", "edge_sharpness", "blur_effect",     "texture",    "edge_sharpness_2x",
};

// kNames with dashes, for GStreamer structure fields (tests check they match).
constexpr std::string_view kFieldNames[kFeatureCount] = {
    "laplacian-variance", "laplacian-max",      "noise-sigma",    "scharr-variance", "brightness", "contrast",
    "laplacian-ratio-2x", "laplacian-ratio-4x", "edge-sharpness", "blur-effect",     "texture",    "edge-sharpness-2x",
};

// Keeps the Laplacian ratios finite (and 1) on a perfectly flat frame:
// a Laplacian standard deviation of about 0.08 grey levels.
constexpr double kRatioFloor = 1e-7;

bool wants(const FeatureMask& m, Feature f) { return m.test(static_cast<std::size_t>(f)); }

}  // namespace

std::string_view feature_name(Feature f) { return kNames[static_cast<std::size_t>(f)]; }

std::string_view feature_field_name(Feature f) { return kFieldNames[static_cast<std::size_t>(f)]; }

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

FeatureMask all_features() { return FeatureMask().set(); }

FeatureVector compute_features(const LumaView& luma, FeatureMask wanted) {
  FeatureVector fv;
  const GradientStats g = gradient_stats(luma);
  const double sigma = noise_sigma(luma);
  detail::set_base_features(fv, g, sigma);

  if (wants(wanted, Feature::LaplacianRatio2x) || wants(wanted, Feature::LaplacianRatio4x) ||
      wants(wanted, Feature::Texture)) {
    const ScaleStats s = laplacian_scales(luma, g.laplacian_variance);
    detail::set_scale_features(fv, s.full, s.half, s.quarter, sigma);
  }
  if (wants(wanted, Feature::EdgeSharpness)) fv.set(Feature::EdgeSharpness, edge_sharpness(luma, sigma));
  if (wants(wanted, Feature::EdgeSharpness2x)) fv.set(Feature::EdgeSharpness2x, edge_sharpness_2x(luma, sigma));
  if (wants(wanted, Feature::BlurEffect)) fv.set(Feature::BlurEffect, blur_effect(luma));
  return fv;
}

bool low_texture(const FeatureVector& fv, const LowTextureThresholds& thresholds) {
  if (!fv.has(Feature::Contrast) || !fv.has(Feature::NoiseSigma) || !fv.has(Feature::Texture)) return false;
  const double c = fv[Feature::Contrast], n = fv[Feature::NoiseSigma];
  const double signal = std::sqrt(std::max(0.0, c * c - n * n));
  return signal < thresholds.contrast || fv[Feature::Texture] < thresholds.texture;
}

namespace detail {

void set_base_features(FeatureVector& fv, const GradientStats& g, double sigma) {
  fv.set(Feature::LaplacianVariance, g.laplacian_variance);
  fv.set(Feature::LaplacianMax, g.laplacian_max);
  fv.set(Feature::NoiseSigma, sigma);
  fv.set(Feature::ScharrVariance, g.scharr_variance);
  fv.set(Feature::Brightness, g.brightness);
  fv.set(Feature::Contrast, g.contrast);
}

void set_scale_features(FeatureVector& fv, double full, double half, double quarter, double sigma) {
  const double n2 = 20.0 * sigma * sigma;
  full = std::max(0.0, full - n2);
  half = std::max(0.0, half - n2 / 4);
  quarter = std::max(0.0, quarter - n2 / 16);
  fv.set(Feature::LaplacianRatio2x, (full + kRatioFloor) / (half + kRatioFloor));
  fv.set(Feature::LaplacianRatio4x, (full + kRatioFloor) / (quarter + kRatioFloor));
  fv.set(Feature::Texture, std::sqrt(quarter));
}

}  // namespace detail

}  // namespace focusmeter
