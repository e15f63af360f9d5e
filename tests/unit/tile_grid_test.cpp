// The focus map's grid (focusmeter/focus_map.h, step 1) and tile features
// against the frame's where they must agree.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "focusmeter/focus_map.h"

namespace fm = focusmeter;

namespace {

// Every pixel of the region in exactly one tile; tile sides differ by at
// most one pixel along a row or a column of tiles.
void expect_exact_cover(const fm::TileGrid& g) {
  std::vector<int> hits(static_cast<std::size_t>(g.width) * g.height, 0);
  int min_w = g.width, max_w = 0, min_h = g.height, max_h = 0;
  for (int i = 0; i < g.count(); ++i) {
    const fm::Rect r = g.tile(i);
    ASSERT_GT(r.width, 0);
    ASSERT_GT(r.height, 0);
    min_w = std::min(min_w, r.width), max_w = std::max(max_w, r.width);
    min_h = std::min(min_h, r.height), max_h = std::max(max_h, r.height);
    for (int y = r.top; y < r.top + r.height; ++y)
      for (int x = r.left; x < r.left + r.width; ++x) ++hits[static_cast<std::size_t>(y) * g.width + x];
  }
  for (int h : hits) ASSERT_EQ(h, 1);
  EXPECT_LE(max_w - min_w, 1);
  EXPECT_LE(max_h - min_h, 1);
}

cv::Mat fixture(const char* name) {
  return cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name, cv::IMREAD_GRAYSCALE);
}

}  // namespace

TEST(TileGrid, SizedForTheFeaturesAt1080p) {
  const fm::TileGrid g = fm::tile_grid(1920, 1080);
  EXPECT_EQ(g.cols, 11);
  EXPECT_EQ(g.rows, 6);
  // 120-240 px tiles at 1080p.
  for (int i = 0; i < g.count(); ++i) {
    EXPECT_GE(g.tile(i).width, 120);
    EXPECT_LE(g.tile(i).width, 240);
    EXPECT_GE(g.tile(i).height, 120);
    EXPECT_LE(g.tile(i).height, 240);
  }
  expect_exact_cover(g);
}

TEST(TileGrid, AdaptsToFrameSizeAndRoi) {
  // D1 and CIF cameras: tiles never under the minimum side (but for a
  // region smaller than one tile, which is one tile).
  for (auto [w, h] : std::vector<std::pair<int, int>>{{704, 576}, {352, 288}, {3840, 2160}, {640, 480}}) {
    const fm::TileGrid g = fm::tile_grid(w, h);
    EXPECT_GE(g.cols, 1);
    EXPECT_GE(g.rows, 1);
    for (int i = 0; i < g.count(); ++i) {
      EXPECT_GE(g.tile(i).width, fm::kMinTileSide * 2 / 3) << w << "x" << h;
      EXPECT_LE(g.tile(i).width, fm::kMaxTileSide * 3 / 2) << w << "x" << h;
    }
    expect_exact_cover(g);
  }
  // An ROI of 500x300 is gridded as a region of its own.
  const fm::TileGrid roi = fm::tile_grid(500, 300);
  EXPECT_EQ(roi.cols, 5);
  EXPECT_EQ(roi.rows, 3);
  EXPECT_EQ(fm::tile_grid(60, 40).count(), 1);
}

TEST(TileGrid, OddSizesSpreadTheRemainder) {
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1919, 1077}, {1921, 1083}, {97, 301}, {1, 1}, {333, 97}}) {
    const fm::TileGrid g = fm::tile_grid(w, h);
    ASSERT_GT(g.count(), 0) << w << "x" << h;
    expect_exact_cover(g);
  }
}

TEST(TileGrid, EmptyRegionHasNoTiles) {
  EXPECT_EQ(fm::tile_grid(0, 1080).count(), 0);
  EXPECT_EQ(fm::tile_grid(1920, 0).count(), 0);
}

TEST(TileFeatures, AgreeWithTheFrame) {
  const cv::Mat m = fixture("brick_512x512.png");
  ASSERT_FALSE(m.empty());
  const fm::LumaView v(m.data, m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0]));
  const fm::GradientStats frame = fm::gradient_stats(v);
  const fm::TileGrid g = fm::tile_grid(v.width(), v.height());
  ASSERT_GT(g.count(), 1);
  double brightness = 0, lap = 0, scharr = 0;
  for (int i = 0; i < g.count(); ++i) {
    const fm::Rect r = g.tile(i);
    const fm::GradientStats t = fm::gradient_stats(v.cropped(r));
    const double w = static_cast<double>(r.width) * r.height / (static_cast<double>(v.width()) * v.height());
    brightness += w * t.brightness;
    lap += w * t.laplacian_variance;
    scharr += w * t.scharr_variance;
  }
  // The mean luma is the pixel-weighted mean of the tiles' exactly.
  EXPECT_NEAR(brightness, frame.brightness, 1e-12);
  // The Laplacian's mean square differs only on the tiles' border pixels
  // (reflected inside each tile); the Scharr variance also by the tiles'
  // own means, a small share on a uniform texture.
  EXPECT_NEAR(lap / frame.laplacian_variance, 1.0, 0.05);
  EXPECT_NEAR(scharr / frame.scharr_variance, 1.0, 0.10);
}

TEST(Overlay, ThinCrispStrokesOnAFlatBackgroundAreAnOverlay) {
  cv::Mat m(180, 180, CV_8U, cv::Scalar(110));
  // Three crisp glyph-like strokes, white with a black edge.
  for (int k = 0; k < 3; ++k) {
    cv::rectangle(m, cv::Rect(20 + 50 * k, 60, 4, 40), cv::Scalar(0), cv::FILLED);
    cv::rectangle(m, cv::Rect(21 + 50 * k, 61, 2, 38), cv::Scalar(255), cv::FILLED);
  }
  const fm::LumaView v(m.data, m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0]));
  const fm::OverlayStats s = fm::overlay_stats(v);
  EXPECT_GT(s.stroke_energy_share, 0.9);
  EXPECT_TRUE(fm::is_overlay(s, 0.0));
  // The same strokes under heavy sensor noise are still an overlay once the
  // noise is accounted for, but not when the noise is ignored.
  cv::Mat noisy = m.clone(), n(m.size(), CV_16S);
  cv::theRNG().state = 3;
  cv::randn(n, 0, 4);
  cv::Mat wide;
  m.convertTo(wide, CV_16S);
  cv::Mat(wide + n).convertTo(noisy, CV_8U);
  const fm::OverlayStats ns = fm::overlay_stats(fm::LumaView(noisy.data, noisy.cols, noisy.rows, noisy.step[0]));
  EXPECT_TRUE(fm::is_overlay(ns, 4.0 / 255));
  EXPECT_FALSE(fm::is_overlay(ns, 0.0));
}

TEST(Overlay, SharpSceneDetailIsNot) {
  for (const char* name : {"brick_512x512.png", "camera_512x512.png", "astronaut_641x479.png"}) {
    const cv::Mat m = fixture(name);
    ASSERT_FALSE(m.empty()) << name;
    const fm::LumaView v(m.data, m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0]));
    const fm::TileGrid g = fm::tile_grid(v.width(), v.height());
    int overlays = 0;
    for (int i = 0; i < g.count(); ++i) overlays += fm::is_overlay(fm::overlay_stats(v.cropped(g.tile(i))), 0.0);
    EXPECT_EQ(overlays, 0) << name;
  }
}
