// What a watch keeps of one checked picture, to compare it later with the
// camera's reference (relative_verdict.h) without keeping the picture:
//
//  - the light mode: Night when the picture is monochrome (an IR-lit
//    camera: its chroma is flat) or dark (mean luma below kNightBrightness),
//    else Day. Day and night pictures of one camera differ in noise, contrast
//    and even focus (IR focuses elsewhere), so each mode has its own
//    reference and a check is only ever compared with the same mode's;
//  - energy: the high-frequency energy (Laplacian and Scharr variances) and
//    contrast of the whole analysed frame (`whole`, from the element's
//    features) and of each cell of a fixed kCellCols x kCellRows grid over
//    the picture (`cells`, computed here on its luma by the core's gradient
//    pass). The relative measure compares a check with its reference cell by
//    cell, so a part of the view that changed (a parked van, OSD text) moves
//    the median over cells little, and falls back to the whole frame when
//    the two were cut differently (a reference stored before the cells, or a
//    check without a picture);
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
// The energy grid: cells of about 320x270 px at 1080p, 107x120 at 640x480,
// big enough that a cell's Laplacian variance is stable from one keyframe to
// the next, small enough that a change in one part of the view stays there.
constexpr int kCellCols = 6;
constexpr int kCellRows = 4;
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
  double noise_sigma = 0;  // the picture's white-noise deviation (features.h), 0..1
  EnergyCell whole;        // the whole analysed frame
  // Row-major cells of a grid_cols x grid_rows grid; empty when there was no
  // picture (grid 0 x 0).
  int grid_cols = 0, grid_rows = 0;
  std::vector<EnergyCell> cells;
  cv::Mat thumbnail;  // CV_8UC1 kThumbWidth x kThumbHeight; empty when no picture
};

// Mean chroma distance from grey of a BGR picture, 0..1.
double chroma_level(const cv::Mat& bgr);
// Night when monochrome or dark (see above).
LightMode light_mode_of(double chroma, double brightness);

// The energy of each cell of a cols x rows grid over an 8-bit luma picture.
std::vector<EnergyCell> energy_cells(const cv::Mat& gray, int cols, int rows);

// The signature of a judged picture: `bgr` the last judged picture (may be
// empty: then no thumbnail, no cells, and the mode from brightness alone),
// `features` the mean features of the check.
FrameSignature signature_of(const cv::Mat& bgr, const FeatureVector& features);

std::string signature_json(const FrameSignature& s);
// nullopt when `json` holds no signature (a check without a picture) or is
// malformed. A signature stored before the grid (one cell, the whole frame,
// no "whole") reads as its whole frame with no cells.
std::optional<FrameSignature> signature_from_json(const std::string& json);

}  // namespace focusmeter::watch
