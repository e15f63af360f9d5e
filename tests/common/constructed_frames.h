// Frames constructed the way camera pictures go wrong, for the focus-map
// tests and tests/bench/focus_map_eval: a photo framed to 1080p, defocused
// with the trainer's disk PSF, overlaid with crisp OSD text the way cameras
// burn in a timestamp and a name, or soft in one region only.
#pragma once

#include <opencv2/imgproc.hpp>
#include <random>
#include <string>

#include "train/synthesis.h"

namespace focusmeter::test {

// A sharp width x height frame from `src` (8-bit grey): a larger photo is
// scaled down (area average, so it stays sharp) to cover the frame; a
// smaller one is never scaled up (that would soften it) but mirrored at its
// edges until it covers the frame. Centre-cropped.
inline cv::Mat frame_of(const cv::Mat& src, int width = 1920, int height = 1080) {
  cv::Mat covered;
  const double s = std::max(static_cast<double>(width) / src.cols, static_cast<double>(height) / src.rows);
  if (s <= 1) {
    cv::resize(src, covered, cv::Size(), s, s, cv::INTER_AREA);
  } else {
    covered = src;
    while (covered.cols < width || covered.rows < height) {
      const int pad_x = std::max(0, std::min(covered.cols - 1, (width - covered.cols + 1) / 2));
      const int pad_y = std::max(0, std::min(covered.rows - 1, (height - covered.rows + 1) / 2));
      cv::Mat grown;
      cv::copyMakeBorder(covered, grown, pad_y, pad_y, pad_x, pad_x, cv::BORDER_REFLECT);
      covered = grown;
    }
  }
  const cv::Rect crop((covered.cols - width) / 2, (covered.rows - height) / 2, width, height);
  return covered(crop).clone();
}

// Defocus: the trainer's disk PSF of radius `r` pixels.
inline cv::Mat defocus(const cv::Mat& m, double r) {
  cv::Mat k, out;
  focusmeter::train::disk_kernel(r).convertTo(k, CV_32F);
  cv::filter2D(m, out, -1, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  return out;
}

// `m` with the region `r` defocused with radius `radius` (the rest as is).
inline cv::Mat soften_region(const cv::Mat& m, const cv::Rect& r, double radius) {
  cv::Mat out = m.clone();
  defocus(m, radius)(r).copyTo(out(r));
  return out;
}

// (Every function here takes 8-bit grey or BGR.)
// Two lines of OSD as IP cameras draw it after the lens: white text with a
// black outline, crisp (no anti-aliasing), a date and time top left and a
// camera name bottom right, about 36 px tall at 1080p.
inline void draw_osd(cv::Mat& m) {
  const double scale = m.rows / 1080.0 * 1.4;
  const int thick = std::max(1, static_cast<int>(scale * 2));
  auto put = [&](const std::string& text, cv::Point at) {
    cv::putText(m, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar::all(0), thick + 2, cv::LINE_8);
    cv::putText(m, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar::all(255), thick, cv::LINE_8);
  };
  put("2026-12-03 12:34:56 THU", cv::Point(m.cols / 40, m.rows / 14));
  int base = 0;
  const std::string name = "CAM-07 LOADING BAY NORTH";
  const cv::Size sz = cv::getTextSize(name, cv::FONT_HERSHEY_SIMPLEX, scale, thick, &base);
  put(name, cv::Point(m.cols - sz.width - m.cols / 40, m.rows - m.rows / 20));
}

// Gaussian sensor noise of deviation `sigma` grey levels, fixed seed.
inline cv::Mat with_noise(const cv::Mat& m, double sigma, unsigned seed = 7) {
  cv::Mat n(m.size(), CV_32F), f;
  cv::theRNG().state = seed;
  cv::randn(n, 0, sigma);
  m.convertTo(f, CV_32F);
  cv::Mat out;
  cv::Mat(f + n).convertTo(out, CV_8U);
  return out;
}

}  // namespace focusmeter::test
