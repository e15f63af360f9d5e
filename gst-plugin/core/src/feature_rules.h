// How the features are set from their measurements, private to the core:
// one definition for every path that computes them (compute_features on a
// frame, the focus map's tiles and judge_frame's frame from shared passes,
// tile_features.h), so that the paths cannot drift apart.
#pragma once

#include "focusmeter/features.h"

namespace focusmeter::detail {

// laplacian_variance, laplacian_max, scharr_variance, brightness, contrast
// from one gradient pass, and noise_sigma.
void set_base_features(FeatureVector& fv, const GradientStats& g, double sigma);

// laplacian_ratio_2x/4x and texture from the Laplacian's variance at full,
// half and quarter scale: white noise of deviation `sigma` adds 20 sigma^2
// to the variance of the 5-tap Laplacian (its squared taps sum to 20); a
// 2x2 box average divides the noise variance by 4, a 4x4 one by 16.
// Removing that share leaves the scene's own detail at each scale.
void set_scale_features(FeatureVector& fv, double full, double half, double quarter, double sigma);

}  // namespace focusmeter::detail
