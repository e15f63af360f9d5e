// The focus map's tiles measured from shared whole-frame passes
// (gst-plugin/core/src/tile_features.h) against each tile cut out and
// measured as a frame of its own: equal where only the tile's own pixels
// count, close where filters reach past the tile's edges; and the same
// bits on every kernel table.
#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <utility>
#include <vector>

#include "focusmeter/features.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/model.h"
#include "kernels.h"
#include "tile_features.h"

namespace fm = focusmeter;

namespace {

cv::Mat fixture(const char* name) {
  return cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name, cv::IMREAD_GRAYSCALE);
}

fm::LumaView view(const cv::Mat& m) { return fm::LumaView(m.data, m.cols, m.rows, m.step[0]); }

// A 1080p-like frame made of the fixtures, with camera-like OSD text; odd
// sizes so that tile edges fall on odd columns and rows.
cv::Mat scene(int w, int h) {
  cv::Mat tiled(h, w, CV_8U);
  const cv::Mat srcs[] = {fixture("brick_512x512.png"), fixture("camera_512x512.png"),
                          fixture("astronaut_641x479.png")};
  for (int y = 0; y < h; y += 400)
    for (int x = 0; x < w; x += 400) {
      const cv::Mat& s = srcs[(x / 400 + y / 400) % 3];
      const cv::Rect dst(x, y, std::min(400, w - x), std::min(400, h - y));
      s(cv::Rect(0, 0, dst.width, dst.height)).copyTo(tiled(dst));
    }
  // OSD-like text: white with a black outline, no anti-aliasing.
  for (int k = 0; k < 2; ++k) {
    const cv::Point at(20, 40 + k * (h - 60));
    cv::putText(tiled, "2026-12-03 15:04:05 CAM 01", at, cv::FONT_HERSHEY_SIMPLEX, 1.0, 0, 5, cv::LINE_8);
    cv::putText(tiled, "2026-12-03 15:04:05 CAM 01", at, cv::FONT_HERSHEY_SIMPLEX, 1.0, 255, 2, cv::LINE_8);
  }
  return tiled;
}

struct Shared {
  fm::detail::FramePlanes planes;
  fm::detail::TileBlur blur;
  fm::TileGrid grid;
};

void measure(const fm::LumaView& v, Shared& s) {
  s.grid = fm::tile_grid(v.width(), v.height());
  fm::detail::frame_planes(v, s.planes);
  fm::detail::tile_blur(v, s.grid, s.blur);
}

}  // namespace

TEST(TileFeatures, SharedPassesMatchTilesCutOutAsFrames) {
  const cv::Mat m = scene(1279, 721);
  const fm::LumaView v = view(m);
  Shared s;
  measure(v, s);
  ASSERT_GT(s.grid.count(), 4);
  const fm::FeatureMask all = fm::all_features();
  for (int i = 0; i < s.grid.count(); ++i) {
    const fm::Rect r = s.grid.tile(i);
    fm::detail::gradient_planes(v, r.top, r.top + r.height, s.planes.full_g);
    const fm::FeatureVector shared = fm::detail::tile_features(s.planes, r, s.blur.tiles[i], all);
    const fm::FeatureVector alone = fm::compute_features(v.cropped(r), all);
    // Only the tile's own pixels: equal.
    EXPECT_EQ(shared[fm::Feature::Brightness], alone[fm::Feature::Brightness]) << i;
    EXPECT_EQ(shared[fm::Feature::NoiseSigma], alone[fm::Feature::NoiseSigma]) << i;
    EXPECT_NEAR(shared[fm::Feature::Contrast], alone[fm::Feature::Contrast], 1e-12) << i;
    EXPECT_EQ(shared[fm::Feature::EdgeSharpness2x], alone[fm::Feature::EdgeSharpness2x]) << i;
    // Filters reaching past the edges see the neighbouring tiles instead
    // of the tile reflected: a border effect, a few per cent.
    for (fm::Feature f : {fm::Feature::LaplacianVariance, fm::Feature::ScharrVariance, fm::Feature::EdgeSharpness,
                          fm::Feature::BlurEffect}) {
      EXPECT_NEAR(shared[f] / alone[f], 1.0, 0.15) << i << " " << fm::feature_name(f);
    }
    // Burnt-in text reads interior pixels only: exactly the tile's.
    const fm::OverlayStats a = fm::detail::overlay_stats_in(v, s.planes.full_g, r);
    const fm::OverlayStats b = fm::overlay_stats(v.cropped(r));
    EXPECT_EQ(a.stroke_share, b.stroke_share) << i;
    EXPECT_EQ(a.stroke_energy_share, b.stroke_energy_share) << i;
    EXPECT_EQ(a.background_rms, b.background_rms) << i;
  }
}

TEST(TileFeatures, BlurPassGivesTheFramesBlurEffect) {
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1279, 721}, {640, 480}, {97, 301}, {5, 3}}) {
    const cv::Mat m = scene(w, h);
    const fm::LumaView v = view(m);
    Shared s;
    measure(v, s);
    EXPECT_EQ(s.blur.frame.value(w, h), fm::blur_effect(v)) << w << "x" << h;
  }
}

TEST(TileFeatures, EdgeSharpnessOfWholePlanesIsTheFrames) {
  const cv::Mat m = scene(1279, 721);
  const fm::LumaView v = view(m);
  fm::detail::GradientPlanes g;
  fm::detail::gradient_planes(v, g);
  EXPECT_EQ(fm::detail::edge_sharpness_in(g, fm::Rect{0, 0, v.width(), v.height()}, 0.004),
            fm::edge_sharpness(v, 0.004));
}

TEST(TileFeatures, EveryKernelTableGivesTheSameMap) {
  cv::Mat m;
  cv::GaussianBlur(scene(1279, 721), m, cv::Size(9, 9), 3);
  const fm::LumaView v = view(m);
  const auto model = fm::default_model();
  fm::detail::force_portable_kernels(true);
  const fm::FocusMap portable = fm::focus_map(v, *model);
  fm::detail::force_portable_kernels(false);
  const fm::FocusMap best = fm::focus_map(v, *model);
  EXPECT_EQ(portable.scores, best.scores);
  EXPECT_EQ(portable.voting, best.voting);
  std::printf("kernel tables: %zu (%s)\n", fm::detail::available_kernels().size(), fm::detail::kernels().isa);
}
