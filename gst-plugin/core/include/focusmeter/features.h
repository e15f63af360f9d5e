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
  Count
};

constexpr std::size_t kFeatureCount = static_cast<std::size_t>(Feature::Count);
// The features that every analysis computes (they share two passes).
constexpr std::size_t kBaseFeatureCount = 6;

using FeatureMask = std::bitset<kFeatureCount>;

// snake_case name, e.g. "laplacian_variance".
std::string_view feature_name(Feature f);
// Inverse of feature_name; nullopt for an unknown name.
std::optional<Feature> feature_from_name(std::string_view name);
// The mask of the base features.
FeatureMask base_features();

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

}  // namespace focusmeter
