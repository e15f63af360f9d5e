// static-tiles-bench: what recognising overlays in streams costs per frame
// (focusmeter/static_tiles.h): the tile signatures of one frame and the
// tracker's step, on one thread, median of repeated runs, at the sizes
// focusmeter-bench uses. Speed is measured here, never asserted in a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <opencv2/core.hpp>
#include <vector>

#include "focusmeter/focus_map.h"
#include "focusmeter/static_tiles.h"

namespace fm = focusmeter;
using Clock = std::chrono::steady_clock;

int main() {
  struct Size {
    const char* name;
    int w, h;
  };
  const Size sizes[] = {
      {"704x576", 704, 576}, {"1280x720", 1280, 720}, {"1920x1080", 1920, 1080}, {"3840x2160", 3840, 2160}};
  std::printf("static tiles, one thread (median ms per frame: signatures + tracker step)\n");
  for (const Size& s : sizes) {
    // Two noisy frames alternating, so every step sees every tile change.
    cv::Mat a(s.h, s.w, CV_8UC1), b(s.h, s.w, CV_8UC1);
    cv::theRNG().state = 42;
    cv::randu(a, 0, 256);
    cv::randu(b, 0, 256);
    const fm::TileGrid grid = fm::tile_grid(s.w, s.h);
    const std::vector<bool> textured(static_cast<std::size_t>(grid.count()), true);
    fm::StaticTileTracker tracker;
    std::vector<double> ms;
    volatile std::size_t sink = 0;
    for (int i = 0; i < 200; ++i) {
      const cv::Mat& m = i % 2 ? a : b;
      const fm::LumaView v(m.data, m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0]));
      const auto t0 = Clock::now();
      tracker.observe(v, grid);
      sink = tracker.static_tiles(textured).size();
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    (void)sink;
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    std::printf("%-10s %8.3f ms  (%d x %d tiles)\n", s.name, ms[ms.size() / 2], grid.cols, grid.rows);
  }
  return 0;
}
