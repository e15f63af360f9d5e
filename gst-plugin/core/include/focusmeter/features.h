// focusmeter core: the focus features of one luma frame.
//
// The first four reproduce, on the luma as float Y/255, what the original
// Python tool computed with scikit-image 0.19 (tests/parity checks them
// against skimage to 1e-4 relative):
//   laplacian_variance  population variance of skimage.filters.laplace
//   laplacian_max       maximum of that Laplacian
//   noise_sigma         skimage.restoration.estimate_sigma (db2 wavelet MAD)
//   scharr_variance     population variance of skimage.filters.scharr
// Two more let a camera check tell a dark or covered lens from a soft one:
//   brightness          mean luma, in [0,1]
//   contrast            population standard deviation of the luma
// The rest are content-normalised (they do not grow with how much texture
// or contrast a scene has) and are computed only when a mask asks for them
// (docs/features.md defines each one exactly):
//   laplacian_ratio_2x  var(Laplacian) / var(Laplacian of the 2x downscale)
//   laplacian_ratio_4x  var(Laplacian) / var(Laplacian of the 4x downscale)
//                       (both less the share of noise_sigma's white noise)
//   edge_sharpness      RMS Laplacian / RMS gradient at the 1 % of pixels
//                       with the strongest gradient, noise share removed
//   blur_effect         re-blur measure of Crete et al. 2007 (0 sharp, 1 flat)
//   edge_sharpness_2x   edge_sharpness of the 2x downscale
//   texture             sqrt(var(Laplacian of the 4x downscale)): coarse
//                       structure, barely touched by focus or noise
// Feature names are snake_case here and in JSON; the element's bus messages
// spell them with dashes (laplacian-variance), as GStreamer fields are.
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <optional>
#include <string_view>

#include "luma_view.h"

namespace focusmeter {

enum class Feature : std::size_t {
  LaplacianVariance,
  LaplacianMax,
  NoiseSigma,
  ScharrVariance,
  Brightness,
  Contrast,
  LaplacianRatio2x,
  LaplacianRatio4x,
  EdgeSharpness,
  BlurEffect,
  Texture,
  EdgeSharpness2x,
  Count
};

constexpr std::size_t kFeatureCount = static_cast<std::size_t>(Feature::Count);
// The features that every analysis computes (they share two passes).
constexpr std::size_t kBaseFeatureCount = 6;

using FeatureMask = std::bitset<kFeatureCount>;

// snake_case name, e.g. "laplacian_variance".
std::string_view feature_name(Feature f);
// The element's bus-message field name, e.g. "laplacian-variance" (GStreamer
// fields use dashes). A static table of NUL-terminated names: nothing is
// built per frame, and data() may be passed where a C string is wanted.
std::string_view feature_field_name(Feature f);
// Inverse of feature_name; nullopt for an unknown name.
std::optional<Feature> feature_from_name(std::string_view name);
// The mask of the base features.
FeatureMask base_features();
// The mask of every feature.
FeatureMask all_features();

struct FeatureVector {
  std::array<double, kFeatureCount> values{};
  FeatureMask present;

  double operator[](Feature f) const { return values[static_cast<std::size_t>(f)]; }
  bool has(Feature f) const { return present.test(static_cast<std::size_t>(f)); }
  void set(Feature f, double v) {
    values[static_cast<std::size_t>(f)] = v;
    present.set(static_cast<std::size_t>(f));
  }
};

// Computes the base features plus whatever else `wanted` asks for. An empty
// view gives all zeros. Thread-safe and allocation-light; the hot loops are
// compiled for AVX2 with a portable fallback chosen at run time.
FeatureVector compute_features(const LumaView& luma, FeatureMask wanted = base_features());

// The individual measures, exposed for tests and benchmarks.
struct GradientStats {
  double laplacian_variance = 0;
  double laplacian_max = 0;
  double scharr_variance = 0;
  double brightness = 0;
  double contrast = 0;
};
GradientStats gradient_stats(const LumaView& luma);
double noise_sigma(const LumaView& luma);

// Laplacian variances of the frame and of its 2x and 4x box downscales.
struct ScaleStats {
  double full = 0, half = 0, quarter = 0;
};
ScaleStats laplacian_scales(const LumaView& luma);
// The same when the full-resolution variance is already known.
ScaleStats laplacian_scales(const LumaView& luma, double full_variance);
// RMS Laplacian / RMS gradient over the strongest-gradient pixels (the top
// `fraction` of them), each with the share of white noise of deviation
// `sigma` (Y/255 units, e.g. noise_sigma) removed; 0 without gradient.
double edge_sharpness(const LumaView& luma, double sigma, double fraction = 0.01);
// edge_sharpness of the 2x box downscale (whose noise is sigma / 2).
double edge_sharpness_2x(const LumaView& luma, double sigma);
// Crete et al. 2007 with an 11-tap box re-blur, the larger of the vertical
// and horizontal values; in [0, 1], 1 for a flat frame.
double blur_effect(const LumaView& luma);

// Too little structure to judge focus (a flat wall, a lens cap, a black
// night): the luma's standard deviation, less the sensor noise, is below
// `contrast`, or the noise-free detail of the 4x downscale (texture) is
// below `texture`. Both barely move with focus, so a defocused scene is
// still judged, while "nothing to see" is flagged rather than called CLEAR
// or BLURRY with confidence. The thresholds belong to the model (its file's
// `low_texture` object, docs/model-format.md); judgement.h picks them.
struct LowTextureThresholds {
  double contrast = 0;  // Y/255 units
  double texture = 0;   // Y/255 units
  bool operator==(const LowTextureThresholds& o) const { return contrast == o.contrast && texture == o.texture; }
};
// Needs Contrast, NoiseSigma and Texture in `fv`; false when one is absent.
bool low_texture(const FeatureVector& fv, const LowTextureThresholds& thresholds);

// Names the feature definitions of docs/features.md. A model file records
// the version it was trained on (`feature_version`) and is refused by a
// build whose definitions differ; the trainer's feature cache carries it in
// its name. Bump it whenever a feature's value changes (docs/model-format.md).
constexpr int kFeatureVersion = 3;

}  // namespace focusmeter
