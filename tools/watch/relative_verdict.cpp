#include "watch/relative_verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace focusmeter::watch {

namespace {

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

double cell_energy(const EnergyCell& c, double noise_sigma) {
  const double hf = std::max(c.laplacian_variance - 20.0 * noise_sigma * noise_sigma, 0.05 * c.laplacian_variance);
  const double contrast = std::max(c.contrast, 1e-3);
  return hf / (contrast * contrast);
}

std::optional<double> relative_focus_drop(const FrameSignature& reference, const FrameSignature& now) {
  // Cell by cell when both were cut by the same grid, else the whole frames.
  const bool same_grid = !reference.cells.empty() && reference.grid_cols == now.grid_cols &&
                         reference.grid_rows == now.grid_rows && reference.cells.size() == now.cells.size();
  const std::vector<EnergyCell> whole_ref{reference.whole}, whole_now{now.whole};
  const std::vector<EnergyCell>& ref_cells = same_grid ? reference.cells : whole_ref;
  const std::vector<EnergyCell>& now_cells = same_grid ? now.cells : whole_now;
  std::vector<double> drops;
  for (std::size_t i = 0; i < ref_cells.size(); ++i) {
    const EnergyCell& r = ref_cells[i];
    if (r.contrast < kMinCellContrast) continue;  // nothing there to lose focus on
    const double er = cell_energy(r, reference.noise_sigma);
    const double en = cell_energy(now_cells[i], now.noise_sigma);
    if (!(er > 0)) continue;
    drops.push_back(en > 0 ? std::log(er / en) : 20.0);  // no energy left at all: everything lost
  }
  if (drops.empty()) return std::nullopt;
  std::nth_element(drops.begin(), drops.begin() + drops.size() / 2, drops.end());
  const double median = drops[drops.size() / 2];
  return 1.0 - std::exp(-std::max(0.0, median));
}

std::optional<ViewMatch> view_match(const cv::Mat& reference_thumb, const cv::Mat& thumb) {
  if (reference_thumb.empty() || thumb.empty() || reference_thumb.size() != thumb.size()) return std::nullopt;
  cv::Mat a, b;
  reference_thumb.convertTo(a, CV_32F);
  thumb.convertTo(b, CV_32F);
  cv::Scalar ma, sa, mb, sb;
  cv::meanStdDev(a, ma, sa);
  cv::meanStdDev(b, mb, sb);
  if (sa[0] < 2.0 || sb[0] < 2.0) return std::nullopt;  // a flat thumbnail matches nothing and everything
  cv::Mat window;
  cv::createHanningWindow(window, a.size(), CV_32F);
  const cv::Point2d shift = cv::phaseCorrelate(a, b, window);
  ViewMatch m;
  m.shift = std::hypot(shift.x, shift.y) / a.cols;
  // Move the current thumbnail back onto the reference and compare where
  // both have pixels.
  cv::Mat back;
  const cv::Mat affine = (cv::Mat_<double>(2, 3) << 1, 0, -shift.x, 0, 1, -shift.y);
  cv::warpAffine(b, back, affine, b.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  const int mx = std::min(a.cols / 3, static_cast<int>(std::ceil(std::abs(shift.x))) + 2);
  const int my = std::min(a.rows / 3, static_cast<int>(std::ceil(std::abs(shift.y))) + 2);
  const cv::Rect inner(mx, my, a.cols - 2 * mx, a.rows - 2 * my);
  cv::Mat ra = a(inner) - cv::mean(a(inner))[0];
  cv::Mat rb = back(inner) - cv::mean(back(inner))[0];
  const double denom = std::sqrt(ra.dot(ra) * rb.dot(rb));
  m.correlation = denom > 0 ? ra.dot(rb) / denom : 0;
  return m;
}

WatchJudgement judge_check(const CheckFacts& f, const RelativeThresholds& t) {
  WatchJudgement j;
  if (!f.analysed || !f.signature) {
    j.outcome = CheckOutcome::Unavailable;
    j.label = "UNAVAILABLE";
    return j;
  }
  const FrameSignature& now = *f.signature;
  if (now.brightness < kDarkBrightness || now.contrast < kFlatContrast) {
    j.outcome = CheckOutcome::Obscured;
    j.label = "UNKNOWN";
    j.reason = now.brightness < kDarkBrightness ? "too dark (mean luma " + fixed2(now.brightness) + ")"
                                                : "covered: a flat picture (contrast " + fixed2(now.contrast) + ")";
    return j;
  }
  if (f.reference) {
    j.against_reference = true;
    if (const auto m = view_match(f.reference->thumbnail, now.thumbnail)) {
      j.view_correlation = m->correlation;
      if (m->correlation < t.view_match_min || m->shift > 0.1) {
        j.outcome = CheckOutcome::ViewChanged;
        j.label = "VIEW CHANGED";
        j.reason = "the scene no longer matches the reference (match " + fixed2(m->correlation) +
                   (m->shift > 0.1 ? ", shifted " + fixed2(m->shift * 100) + " % of the width" : std::string()) + ")";
        return j;
      }
    }
    j.relative_drop = relative_focus_drop(*f.reference, now);
    if (j.relative_drop && *j.relative_drop >= t.drift) {
      j.outcome = CheckOutcome::Blurry;
      j.label = "BLURRY (drift)";
      j.reason = "relative focus drop " + fixed2(*j.relative_drop) + " against the " +
                 light_mode_name(f.reference->mode) + " reference";
      return j;
    }
    if (j.relative_drop) {
      j.outcome = CheckOutcome::Clear;
      j.label = "CLEAR";
      if (f.absolute == Verdict::Blurry)
        j.reason = "absolute verdict BLURRY, but as sharp as the reference (drop " + fixed2(*j.relative_drop) + ")";
      return j;
    }
    // A reference with no textured cell cannot judge focus: fall through to
    // the absolute verdict.
  }
  if (f.low_texture) {
    j.outcome = CheckOutcome::Inconclusive;
    j.label = "UNKNOWN";
    j.reason = "too little texture to judge focus";
  } else if (!f.absolute) {
    j.outcome = CheckOutcome::Inconclusive;
    j.label = "UNKNOWN";
    j.reason = "no verdict (no model) and no reference yet";
  } else if (*f.absolute == Verdict::Blurry) {
    j.outcome = CheckOutcome::Blurry;
    j.label = "BLURRY";
  } else {
    j.outcome = CheckOutcome::Clear;
    j.label = "CLEAR";
  }
  return j;
}

}  // namespace focusmeter::watch
