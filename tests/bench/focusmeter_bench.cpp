// focusmeter-bench: speed of the feature core on one thread.
//
// Prints milliseconds of CPU time per frame (median of repeated runs) at 704x576,
// 1280x720, 1920x1080 and 3840x2160, split into the two passes, then times
// scikit-image's path (the original tool's) on the same 1080p image through
// tests/bench/skimage_reference.py and prints the ratio. Speed is measured
// here, never asserted in a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "focusmeter/features.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/model.h"

namespace fm = focusmeter;

// The thread's CPU time, not the wall clock: "ms per frame on one core" is
// the work the frame costs, and on a shared machine the wall clock also
// counts the time the thread waited for the core.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<Clock, duration>;
  static time_point now() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return time_point(duration(static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec));
  }
};

namespace {

double median_ms(const std::function<void()>& work, double budget_s = 1.0, int min_runs = 10) {
  work();  // warm caches and the allocator
  std::vector<double> ms;
  const auto start = Clock::now();
  while (static_cast<int>(ms.size()) < min_runs ||
         std::chrono::duration<double>(Clock::now() - start).count() < budget_s) {
    const auto t0 = Clock::now();
    work();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

// A real photo (the CC0 camera fixture) scaled to the size, with mild
// sensor noise so no region is perfectly flat.
cv::Mat frame(const cv::Mat& photo, int w, int h) {
  cv::Mat out, noise(h, w, CV_16SC1);
  cv::resize(photo, out, cv::Size(w, h), 0, 0, cv::INTER_CUBIC);
  cv::theRNG().state = 42;
  cv::randn(noise, 0, 2.0);
  cv::Mat sum;
  cv::add(out, noise, sum, cv::noArray(), CV_8U);
  return sum;
}

fm::LumaView view(const cv::Mat& m) {
  return fm::LumaView(m.ptr<std::uint8_t>(), m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0]));
}

}  // namespace

int main(int argc, char** argv) {
  // `--verdict N`: only N full verdicts of the 1080p frame, nothing printed
  // but a checksum: a fixed amount of work for a profiler, e.g.
  //   valgrind --tool=callgrind --toggle-collect='focusmeter::judge_frame(*'
  //       build/tests/bench/focusmeter-bench --verdict 6
  // (instructions do not depend on the machine's load, times do).
  int verdicts = -1;
  if (argc > 2 && std::string(argv[1]) == "--verdict") {
    verdicts = std::atoi(argv[2]);
    argv += 2;
    argc -= 2;
  }
  const std::string data = argc > 1 ? argv[1] : FOCUSMETER_TEST_DATA;
  const cv::Mat photo = cv::imread(data + "/parity/fixtures/camera_512x512.png", cv::IMREAD_GRAYSCALE);
  if (photo.empty()) {
    std::fprintf(stderr, "focusmeter-bench: cannot read the camera fixture under %s\n", data.c_str());
    return 1;
  }
  struct Size {
    const char* name;
    int w, h;
  };
  const Size sizes[] = {
      {"704x576", 704, 576}, {"1280x720", 1280, 720}, {"1920x1080", 1920, 1080}, {"3840x2160", 3840, 2160}};
  // The shipped model: $FOCUSMETER_MODEL (the devenv's) or the source tree's.
  const char* env_model = std::getenv("FOCUSMETER_MODEL");
  const fm::Model model =
      fm::Model::load(env_model && *env_model ? std::string(env_model) : data + "/../models/default.json");
  if (verdicts >= 0) {
    const cv::Mat img = frame(photo, 1920, 1080);
    double sum = 0;
    for (int i = 0; i < verdicts; ++i) sum += fm::judge_frame(model, view(img)).judgement.score.value_or(-1);
    std::printf("%.17g\n", sum);
    return 0;
  }
  std::printf("focusmeter core, one thread (median ms of CPU time per frame)\n");
  // "all six": the original four features plus brightness and contrast (what
  // the element computes without a model); "all 12": every feature the core
  // has, a superset of what the shipped model needs; "verdict": the full
  // verdict path with the shipped model (judge_frame: the frame's features,
  // the focus map's per-tile features and scores, the aggregate).
  std::printf("%-10s %10s %14s %12s %10s %10s %10s\n", "size", "all six", "gradient pass", "noise sigma", "Mpx/s",
              "all 12", "verdict");
  double ms_1080 = 0;
  for (const Size& s : sizes) {
    const cv::Mat img = frame(photo, s.w, s.h);
    const fm::LumaView v = view(img);
    volatile double sink = 0;
    const double all = median_ms([&] { sink = fm::compute_features(v).values[0]; });
    const double grad = median_ms([&] { sink = fm::gradient_stats(v).laplacian_variance; });
    const double noise = median_ms([&] { sink = fm::noise_sigma(v); });
    const double every = median_ms([&] { sink = fm::compute_features(v, fm::all_features()).values[0]; });
    const double verdict = median_ms([&] { sink = fm::judge_frame(model, v).judgement.score.value_or(-1); });
    (void)sink;
    std::printf("%-10s %10.3f %14.3f %12.3f %10.0f %10.3f %10.3f\n", s.name, all, grad, noise, s.w * s.h / all / 1000.0,
                every, verdict);
    if (s.w == 1920) ms_1080 = all;
  }

  // The same 1080p image through scikit-image, the original tool's path.
  const cv::Mat img = frame(photo, 1920, 1080);
  const std::string png = "/tmp/focusmeter-bench-1080p.png";
  cv::imwrite(png, img);
  const std::string cmd = "/usr/bin/python3 " + data + "/bench/skimage_reference.py " + png + " 5 2>/dev/null";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[128];
    while (fgets(buf, sizeof buf, p)) out += buf;
    if (pclose(p) != 0) out.clear();
  }
  std::remove(png.c_str());
  if (out.empty()) {
    std::printf("\nskimage reference: not available (needs Debian's python3-skimage)\n");
    return 0;
  }
  const double ref = std::atof(out.c_str());
  std::printf("\nskimage 0.19 reference, same 1080p image: %.1f ms per frame\n", ref);
  std::printf("speed-up of focusmeter over skimage at 1080p: %.0fx\n", ref / ms_1080);
  return 0;
}
