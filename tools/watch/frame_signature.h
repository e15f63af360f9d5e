// What a watch keeps of one checked picture, to compare it later with the
// camera's reference (relative_verdict.h) without keeping the picture:
//
//  - the light mode: Night when the picture is monochrome (an IR-lit
//    camera: its chroma is flat) or dark (mean luma below kNightBrightness),
//    else Day. Day and night pictures of one camera differ in noise, contrast
//    and even focus (IR focuses elsewhere), so each mode has its own
//    reference and a check is only ever compared with the same mode's;
//  - energy cells: the high-frequency energy (Laplacian and Scharr
//    variances) and contrast of regions of the picture. Today one cell, the
//    whole analysed frame, from the element's features; a tile map gives one
//    cell per tile and the same comparison applies tile by tile;
//  - a thumbnail: the luma shrunk to kThumbWidth x kThumbHeight, enough to
//    tell whether the scene is still the same one (camera moved), far too
//    small to say anything about focus;
//  - brightness and contrast, to tell a covered or dark lens.
//
// Stored as JSON in the state file (checks.features, camera_references.features);
// the thumbnail as base64 of its raw 8-bit pixels (3 KiB).
#pragma once

#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "focusmeter/features.h"
#include "watch/state_store.h"

namespace focusmeter::watch {

constexpr int kThumbWidth = 64;
constexpr int kThumbHeight = 48;
// Mean |Cb - 128| + |Cr - 128| (as a share of 255) below which a picture is
// monochrome; an IR-lit picture encoded as colour sits at 0 give or take
// rounding, a colour scene well above (the fake camera's: about 0.04).
constexpr double kMonoChroma = 0.012;
// Mean luma (0..1) below which a colour picture counts as night.
constexpr double kNightBrightness = 0.15;

struct EnergyCell {
  double laplacian_variance = 0;
  double scharr_variance = 0;
  double contrast = 0;  // standard deviation of the luma, 0..1
};

struct FrameSignature {
  LightMode mode = LightMode::Day;
  double chroma = 0;      // mean chroma distance from grey, 0..1
  double brightness = 0;  // mean luma, 0..1
  double contrast = 0;
  double noise_sigma = 0;         // the picture's white-noise deviation (features.h), 0..1
  std::vector<EnergyCell> cells;  // today: one, the whole frame
  cv::Mat thumbnail;              // CV_8UC1 kThumbWidth x kThumbHeight; empty when no picture
};

// Mean chroma distance from grey of a BGR picture, 0..1.
double chroma_level(const cv::Mat& bgr);
// Night when monochrome or dark (see above).
LightMode light_mode_of(double chroma, double brightness);

// The signature of a judged picture: `bgr` the last judged picture (may be
// empty: then no thumbnail, and the mode from brightness alone), `features`
// the mean features of the check.
FrameSignature signature_of(const cv::Mat& bgr, const FeatureVector& features);

std::string signature_json(const FrameSignature& s);
// nullopt when `json` holds no signature (a check without a picture) or is
// malformed.
std::optional<FrameSignature> signature_from_json(const std::string& json);

}  // namespace focusmeter::watch
