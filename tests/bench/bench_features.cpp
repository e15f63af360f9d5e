// Benchmark (meson benchmark, not a test): time per 1080p frame of the base
// features and of every feature, and their ratio.
#include <chrono>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "focusmeter/features.h"

namespace fm = focusmeter;

static double ms_per_frame(const fm::LumaView& v, fm::FeatureMask mask) {
  double sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
  constexpr int kRuns = 20;
  for (int i = 0; i < kRuns; ++i) sink += fm::compute_features(v, mask).values[0];
  const auto t1 = std::chrono::steady_clock::now();
  if (sink < 0) std::puts("");
  return std::chrono::duration<double, std::milli>(t1 - t0).count() / kRuns;
}

int main() {
  cv::Mat frame(1080, 1920, CV_8U);
  cv::randu(frame, 0, 255);
  cv::GaussianBlur(frame, frame, cv::Size(0, 0), 1.5);
  const fm::LumaView v(frame.data, frame.cols, frame.rows, static_cast<std::ptrdiff_t>(frame.step[0]));
  ms_per_frame(v, fm::all_features());  // warm up
  const double base = ms_per_frame(v, fm::base_features());
  const double all = ms_per_frame(v, fm::all_features());
  std::printf("1920x1080: base features %.2f ms/frame, all features %.2f ms/frame, ratio %.2f\n", base, all,
              all / base);
  for (std::size_t i = fm::kBaseFeatureCount; i < fm::kFeatureCount; ++i) {
    fm::FeatureMask m = fm::base_features();
    m.set(i);
    std::printf("  base + %-18s %.2f ms/frame (x%.2f)\n",
                std::string(fm::feature_name(static_cast<fm::Feature>(i))).c_str(), ms_per_frame(v, m),
                ms_per_frame(v, m) / base);
  }
  return 0;
}
