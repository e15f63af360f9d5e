// The watch's verdict on one check: the camera against its own reference.
// Pure: no I/O, no clock.
//
// Relative focus drop (the documented measure, docs/watch.md):
//   For each energy cell c (frame_signature.h; today the whole frame, later
//   each tile of a focus map) the high-frequency energy is
//       e(c) = max(laplacian_variance - 20 sigma^2, 0.05 laplacian_variance) / contrast^2
//   the Laplacian's variance with the share of white sensor noise removed
//   (20 sigma^2 is the variance a 3x3 Laplacian gives white noise of
//   deviation sigma) and divided by the contrast squared, so that a change
//   of exposure or gain, which scales both, cancels. Only cells that were
//   textured in the reference count (contrast >= kMinCellContrast). The
//   per-cell log drop is ln(e_ref / e_now); the camera's drop is the median
//   of those over cells, and
//       relative_drop = 1 - exp(-max(0, median log drop))
//   the share of the reference's high-frequency energy that is gone: 0 as
//   sharp as the reference (or sharper), 0.5 half of it lost, -> 1 all of it.
//   A defocus removes the fine detail first, so even a scene the absolute
//   model calls CLEAR loses a large share when its lens drifts.
//
// View match: the normalised cross-correlation of the current thumbnail with
// the reference's, after aligning them by phase correlation (a camera that
// shook by a pixel or two is the same view). Below `view_match_min`, or a
// shift of more than a tenth of the picture, the view changed: the camera
// moved or something stands in front of it, and its focus cannot be
// compared with the reference (never reported as blurry).
//
// Order of the decision: no picture -> unavailable; too dark or flat ->
// obscured (UNKNOWN); a reference of the same light mode exists -> view
// changed, else BLURRY (drift) when relative_drop >= drift_threshold, else
// CLEAR; no reference yet -> the absolute verdict (UNKNOWN when the frame
// has too little texture or no model gave one).
#pragma once

#include <optional>
#include <string>

#include "focusmeter/model.h"
#include "watch/frame_signature.h"
#include "watch/incident_tracker.h"

namespace focusmeter::watch {

constexpr double kMinCellContrast = 0.02;
constexpr double kDarkBrightness = 0.08;  // mean luma below: too dark (limited-range black is 0.063)
constexpr double kFlatContrast = 0.03;    // luma deviation below: a flat picture (cap, cover, black)

struct RelativeThresholds {
  double drift = 0.5;           // relative_drop at or above: BLURRY (drift)
  double view_match_min = 0.6;  // view match below: VIEW CHANGED
};

// nullopt when no cell of the reference was textured (nothing to compare).
std::optional<double> relative_focus_drop(const FrameSignature& reference, const FrameSignature& now);
// The noise-corrected, contrast-normalised high-frequency energy of a cell.
double cell_energy(const EnergyCell& c, double noise_sigma);

struct ViewMatch {
  double correlation = 0;  // NCC after alignment, -1..1
  double shift = 0;        // the alignment's length, as a share of the thumbnail's width
};
// nullopt when either thumbnail is missing or flat.
std::optional<ViewMatch> view_match(const cv::Mat& reference_thumb, const cv::Mat& thumb);

struct CheckFacts {
  bool analysed = false;  // a picture was judged (status ok)
  std::optional<Verdict> absolute;
  bool low_texture = false;
  std::optional<FrameSignature> signature;  // when analysed
  std::optional<FrameSignature> reference;  // the same light mode's, when one exists
};

struct WatchJudgement {
  CheckOutcome outcome = CheckOutcome::Unavailable;
  std::string label;   // "CLEAR", "BLURRY", "BLURRY (drift)", "VIEW CHANGED", "UNKNOWN", "UNAVAILABLE"
  std::string reason;  // one line; "" for a plain CLEAR
  std::optional<double> relative_drop;
  std::optional<double> view_correlation;
  bool against_reference = false;  // judged relative to a reference
};

WatchJudgement judge_check(const CheckFacts& facts, const RelativeThresholds& thresholds);

}  // namespace focusmeter::watch
