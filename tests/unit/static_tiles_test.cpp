// Overlays in streams (focusmeter/static_tiles.h) on constructed sequences:
// a defocused scene that changes from frame to frame under a crisp banner
// that does not, still scenes, and the limits of the rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "../common/constructed_frames.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/static_tiles.h"

namespace fm = focusmeter;

namespace {

// 576 x 288: a 6 x 3 grid of 96 px tiles (the minimum tile side).
constexpr int kWidth = 576, kHeight = 288, kTile = 96;

cv::Mat fixture(const char* name) {
  return cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name, cv::IMREAD_GRAYSCALE);
}

fm::LumaView view(const cv::Mat& m) { return fm::LumaView(m.data, m.cols, m.rows, m.step[0]); }

// Frame `t` of a scene that moves: the sharp astronaut panned by 3 px a
// frame, defocused with radius `r` (0: sharp), with sensor noise that
// differs every frame.
cv::Mat moving_scene(int t, double r) {
  static const cv::Mat src = fixture("astronaut_641x479.png");
  cv::Mat m = src(cv::Rect(3 * t, 20, kWidth, kHeight)).clone();
  if (r > 0) m = fm::test::defocus(m, r);
  return fm::test::with_noise(m, 1.5, 100 + static_cast<unsigned>(t));
}

// A banner burnt in over the first `tiles` tiles of the top row: an opaque
// mid-grey box with anti-aliased light-grey text. Crisp, but not what the
// per-frame rule takes for text (its strokes do not reach the ends of the
// luma range), so only the stream rule can leave it out.
void draw_banner(cv::Mat& m, int tiles) {
  const cv::Rect box(0, 0, tiles * kTile, kTile);
  cv::Mat banner = m(box);  // drawn into the box only: the text is clipped at its edge
  banner.setTo(70);
  for (int line = 0; line < 3; ++line)
    cv::putText(banner, "CAM-07 NORTH GATE 2026-12-03 12:34:56", cv::Point(6, 26 + 30 * line), cv::FONT_HERSHEY_SIMPLEX,
                0.62, cv::Scalar::all(165), 1, cv::LINE_AA);
}

std::vector<bool> banner_tiles(int tiles) {
  std::vector<bool> v(18, false);
  for (int i = 0; i < tiles; ++i) v[static_cast<std::size_t>(i)] = true;
  return v;
}

class StaticTilesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = fm::default_model(); }
  static void TearDownTestSuite() { model_.reset(); }

  // Judges `frames` in order as one stream does; returns the last frame's
  // judgement before and after the static tiles left the vote, and the
  // static tiles of every frame.
  struct Run {
    fm::FrameJudgement before, after;
    std::vector<std::vector<bool>> still;
  };
  static Run run(const std::vector<cv::Mat>& frames) {
    Run out;
    fm::StaticTileTracker tracker;
    for (const cv::Mat& m : frames) {
      out.before = fm::judge_frame(*model_, view(m));
      tracker.observe(view(m), out.before.map.grid);
      out.still.push_back(tracker.static_tiles(out.before.map.textured));
      out.after = out.before;
      fm::leave_out_static(out.after, out.still.back(), *model_, std::nullopt);
    }
    return out;
  }
  static std::shared_ptr<const fm::Model> model_;
};
std::shared_ptr<const fm::Model> StaticTilesTest::model_;

int count(const std::vector<bool>& v) { return static_cast<int>(std::count(v.begin(), v.end(), true)); }

}  // namespace

TEST_F(StaticTilesTest, CrispBannerOverAChangingDefocusedSceneLeavesTheVote) {
  std::vector<cv::Mat> frames;
  for (int t = 0; t < 5; ++t) {
    frames.push_back(moving_scene(t, 5));
    draw_banner(frames.back(), 5);
  }
  const Run r = run(frames);
  ASSERT_EQ(r.before.map.grid.cols, 6);
  ASSERT_EQ(r.before.map.grid.rows, 3);
  // Identical in kStaticFrames frames before it counts.
  EXPECT_EQ(count(r.still[0]), 0);
  EXPECT_EQ(count(r.still[1]), 0);
  for (std::size_t f = fm::kStaticFrames - 1; f < frames.size(); ++f)
    EXPECT_EQ(r.still[f], banner_tiles(5)) << "frame " << f;
  // The one-frame rule does not see the banner as text ...
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(r.before.map.textured[static_cast<std::size_t>(i)]) << i;
    EXPECT_FALSE(r.before.map.overlay[static_cast<std::size_t>(i)]) << i;
  }
  // ... so its crisp tiles vote CLEAR and make the frame look half soft;
  // left out, the frame is plainly BLURRY.
  EXPECT_TRUE(r.before.aggregate.partial) << r.before.aggregate.soft_share;
  EXPECT_EQ(r.after.judgement.verdict, fm::Verdict::Blurry) << r.after.judgement.score.value_or(-1);
  EXPECT_EQ(r.after.aggregate.overlay_tiles, 5);
  EXPECT_EQ(r.after.aggregate.voters, r.before.aggregate.voters - 5);
  EXPECT_FALSE(r.after.aggregate.partial) << r.after.aggregate.soft_share;
  const fm::MapSummary summary = fm::summarise(r.after.map, r.after.aggregate);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(summary.overlay[static_cast<std::size_t>(i)]) << i;
}

// What an encoder does to a still overlay: every frame JPEG-coded at
// another quality (8 x 8 DCT blocks from the frame's origin, as a video
// codec's keyframes are), so the banner's tiles are never bit-identical,
// only alike up to re-quantisation.
cv::Mat recoded(const cv::Mat& m, int t) {
  static const int quality[] = {55, 80, 65, 90, 70};
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", m, jpeg, {cv::IMWRITE_JPEG_QUALITY, quality[t % 5]});
  return cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE);
}

TEST_F(StaticTilesTest, RecodedBannerOverAChangingSceneStillLeavesTheVote) {
  std::vector<cv::Mat> frames;
  for (int t = 0; t < 5; ++t) {
    cv::Mat m = moving_scene(t, 5);
    draw_banner(m, 5);
    frames.push_back(recoded(m, t));
  }
  // Not identical anywhere: the exact rule would never have fired.
  for (int t = 1; t < 5; ++t)
    for (int i = 0; i < 5; ++i) {
      const cv::Rect tile(i * kTile, 0, kTile, kTile);
      EXPECT_GT(cv::norm(frames[0](tile), frames[static_cast<std::size_t>(t)](tile), cv::NORM_INF), 0) << t << " " << i;
    }
  const Run r = run(frames);
  EXPECT_EQ(count(r.still[0]), 0);
  EXPECT_EQ(count(r.still[1]), 0);
  for (std::size_t f = fm::kStaticFrames - 1; f < frames.size(); ++f)
    EXPECT_EQ(r.still[f], banner_tiles(5)) << "frame " << f;
  EXPECT_EQ(r.after.judgement.verdict, fm::Verdict::Blurry) << r.after.judgement.score.value_or(-1);
}

TEST_F(StaticTilesTest, RecodedStillSceneWithNoiseMarksNothing) {
  // A still view with fresh noise in every frame, the banner burnt in, all
  // of it re-coded: every tile stays within the bound, nothing changes, so
  // nothing is static against the rest (rule 3).
  std::vector<cv::Mat> frames;
  for (int t = 0; t < 5; ++t) {
    cv::Mat m = fm::test::with_noise(fm::test::defocus(moving_scene(0, 0), 5), 2.0, 400 + static_cast<unsigned>(t));
    draw_banner(m, 5);
    frames.push_back(recoded(m, t));
  }
  const Run r = run(frames);
  for (const auto& still : r.still) EXPECT_EQ(count(still), 0);
  EXPECT_EQ(r.after.aggregate.voters, r.before.aggregate.voters);
}

TEST_F(StaticTilesTest, ASlowDriftAddsUpAndIsNotStatic) {
  // The banner's first tile brightens by one grey level a frame: each step
  // is under kUnchangedBelow, two are not. Compared with where its run
  // began, it never stays unchanged for kStaticFrames frames; the rest of
  // the banner does.
  std::vector<cv::Mat> frames;
  for (int t = 0; t < 5; ++t) {
    cv::Mat m = moving_scene(t, 5);
    draw_banner(m, 5);
    m(cv::Rect(0, 0, kTile, kTile)) += t;
    frames.push_back(m);
  }
  ASSERT_LT(1.0, fm::kUnchangedBelow);
  ASSERT_GE(2.0, fm::kUnchangedBelow);
  const Run r = run(frames);
  std::vector<bool> expected = banner_tiles(5);
  expected[0] = false;
  for (std::size_t f = fm::kStaticFrames - 1; f < frames.size(); ++f) EXPECT_EQ(r.still[f], expected) << "frame " << f;
}

TEST_F(StaticTilesTest, PerfectlyStillStreamMarksNothing) {
  // A synthetic stream (or a frozen camera) repeats the same picture: no
  // tile changed, so nothing is "static against the rest".
  cv::Mat m = moving_scene(0, 5);
  draw_banner(m, 5);
  const Run r = run(std::vector<cv::Mat>(5, m));
  for (const auto& still : r.still) EXPECT_EQ(count(still), 0);
  EXPECT_EQ(r.after.aggregate.voters, r.before.aggregate.voters);
}

TEST_F(StaticTilesTest, StillSceneWithSensorNoiseMarksNothing) {
  // Nothing moves but the sensor's noise changes every pixel, the banner's
  // tiles too (noise is added after it here, as a camera without OSD has).
  std::vector<cv::Mat> frames;
  for (int t = 0; t < 5; ++t) {
    cv::Mat m = fm::test::defocus(moving_scene(0, 0), 5);
    frames.push_back(fm::test::with_noise(m, 1.0, 300 + static_cast<unsigned>(t)));
  }
  const Run r = run(frames);
  for (const auto& still : r.still) EXPECT_EQ(count(still), 0);
}

TEST_F(StaticTilesTest, MostOfThePictureStillIsTheSceneNotAnOverlay) {
  // 7 of 18 tiles identical (a still view where only the lower part moves,
  // or an encoder copying unchanged blocks) while the other 11 change: more
  // than a third, so it is the scene and none is left out.
  const cv::Mat still_part = moving_scene(0, 0);
  std::vector<cv::Mat> frames;
  for (int t = 0; t < 5; ++t) {
    cv::Mat m = moving_scene(t, 0);
    still_part(cv::Rect(0, 0, kWidth, kTile)).copyTo(m(cv::Rect(0, 0, kWidth, kTile)));
    still_part(cv::Rect(0, kTile, kTile, kTile)).copyTo(m(cv::Rect(0, kTile, kTile, kTile)));
    frames.push_back(m);
  }
  const Run r = run(frames);
  for (const auto& still : r.still) EXPECT_EQ(count(still), 0);
  EXPECT_EQ(r.after.aggregate.voters, r.before.aggregate.voters);
}

TEST_F(StaticTilesTest, TheRestMustChangeNotJustOneTile) {
  // Only one tile changes (a flag in the wind on a still picture): fewer than
  // kMinChangedShare of the textured tiles changed, so nothing is static.
  const cv::Mat base = moving_scene(0, 0);
  std::vector<cv::Mat> frames;
  for (int t = 0; t < 5; ++t) {
    cv::Mat m = base.clone();
    moving_scene(t, 0)(cv::Rect(0, 0, kTile, kTile)).copyTo(m(cv::Rect(0, 2 * kTile, kTile, kTile)));
    frames.push_back(m);
  }
  const Run r = run(frames);
  for (const auto& still : r.still) EXPECT_EQ(count(still), 0);
}

TEST(StaticTileSignatures, SameContentSameSignatureWhateverTheStride) {
  const cv::Mat m = fixture("camera_512x512.png")(cv::Rect(0, 0, 301, 203)).clone();
  cv::Mat padded(m.rows, m.cols + 13, CV_8U, cv::Scalar(99));
  m.copyTo(padded(cv::Rect(0, 0, m.cols, m.rows)));
  const fm::TileGrid grid = fm::tile_grid(m.cols, m.rows);
  const fm::LumaView a = view(m);
  const fm::LumaView b(padded.data, m.cols, m.rows, padded.step[0]);
  const fm::TileSignatures sa = fm::tile_signatures(a, grid), sb = fm::tile_signatures(b, grid);
  EXPECT_EQ(sa.block_cols, 301 / 8);
  EXPECT_EQ(sa.block_rows, 203 / 8);
  EXPECT_EQ(sa.sums, sb.sums);
  for (int i = 0; i < grid.count(); ++i) EXPECT_EQ(fm::tile_difference(sa, sb, i), 0.0) << i;
}

TEST(StaticTileSignatures, BlockSumsAreThePixelSums) {
  const cv::Mat m = fixture("camera_512x512.png")(cv::Rect(3, 5, 200, 120)).clone();
  const fm::TileSignatures s = fm::tile_signatures(view(m), fm::tile_grid(m.cols, m.rows));
  ASSERT_EQ(s.sums.size(), static_cast<std::size_t>(25 * 15));
  for (int by = 0; by < 15; ++by)
    for (int bx = 0; bx < 25; ++bx)
      EXPECT_EQ(s.sums[static_cast<std::size_t>(by * 25 + bx)], cv::sum(m(cv::Rect(8 * bx, 8 * by, 8, 8)))[0]);
}

TEST(StaticTileSignatures, ABlockChangesOnlyItsTileByItsShareOfTheTile) {
  cv::Mat m = fixture("camera_512x512.png")(cv::Rect(0, 0, 301, 203)).clone();
  const fm::TileGrid grid = fm::tile_grid(m.cols, m.rows);
  ASSERT_GE(grid.count(), 4);
  const fm::TileSignatures before = fm::tile_signatures(view(m), grid);
  // One whole block of the last tile 40 grey levels brighter.
  const fm::Rect last = grid.tile(grid.count() - 1);
  const int bx = (last.left + 7) / 8, by = (last.top + 7) / 8;
  m(cv::Rect(8 * bx, 8 * by, 8, 8)) -= 40;
  const fm::TileSignatures after = fm::tile_signatures(view(m), grid);
  for (int i = 0; i + 1 < grid.count(); ++i) EXPECT_EQ(fm::tile_difference(before, after, i), 0.0) << i;
  const int blocks = ((last.left + last.width) / 8 - bx) * ((last.top + last.height) / 8 - by);
  const double expected = cv::sum(cv::abs(fixture("camera_512x512.png")(cv::Rect(8 * bx, 8 * by, 8, 8)) -
                                          m(cv::Rect(8 * bx, 8 * by, 8, 8))))[0] /
                          (64.0 * blocks);
  EXPECT_NEAR(fm::tile_difference(before, after, grid.count() - 1), expected, 1e-9);
  EXPECT_GT(expected, 0);
  // The last pixels of a region whose size is not a multiple of 8 are in
  // no whole block: not compared (the documented limit).
  m.at<std::uint8_t>(last.top + last.height - 1, last.left + last.width - 1) ^= 0x80;
  const fm::TileSignatures edge = fm::tile_signatures(view(m), grid);
  EXPECT_EQ(fm::tile_difference(after, edge, grid.count() - 1), 0.0);
}

TEST(StaticTileSignatures, NothingToCompareIsNeverUnchanged) {
  // A region smaller than a block has no whole block; signatures of other
  // grids do not compare.
  const cv::Mat tiny = fixture("tiny_5x3.png");
  ASSERT_FALSE(tiny.empty());
  const fm::TileGrid g = fm::tile_grid(tiny.cols, tiny.rows);
  const fm::TileSignatures s = fm::tile_signatures(view(tiny), g);
  EXPECT_TRUE(s.sums.empty());
  for (int i = 0; i < g.count(); ++i) EXPECT_TRUE(std::isinf(fm::tile_difference(s, s, i))) << i;
  const cv::Mat big = fixture("camera_512x512.png");
  const fm::TileSignatures a = fm::tile_signatures(view(big), fm::tile_grid(512, 512));
  const fm::TileSignatures b = fm::tile_signatures(view(big(cv::Rect(0, 0, 504, 512))), fm::tile_grid(504, 512));
  EXPECT_TRUE(std::isinf(fm::tile_difference(a, b, 0)));
  EXPECT_TRUE(std::isinf(fm::tile_difference(a, a, -1)));
  EXPECT_TRUE(std::isinf(fm::tile_difference(a, a, fm::tile_grid(512, 512).count())));
}

TEST(StaticTileTracker, ANewGridStartsOver) {
  const cv::Mat big = fixture("camera_512x512.png");
  const cv::Mat small = big(cv::Rect(0, 0, 300, 200)).clone();
  fm::StaticTileTracker tracker;
  for (int t = 0; t < 3; ++t) tracker.observe(view(big), fm::tile_grid(big.cols, big.rows));
  for (int run : tracker.runs()) EXPECT_EQ(run, 3);
  tracker.observe(view(small), fm::tile_grid(small.cols, small.rows));
  ASSERT_EQ(tracker.runs().size(), static_cast<std::size_t>(fm::tile_grid(small.cols, small.rows).count()));
  for (int run : tracker.runs()) EXPECT_EQ(run, 1);
  tracker.reset();
  EXPECT_TRUE(tracker.runs().empty());
  // Textured flags that do not match the grid: nothing static, no crash.
  EXPECT_TRUE(tracker.static_tiles({true, false}).empty());
}
