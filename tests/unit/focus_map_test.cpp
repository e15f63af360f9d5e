// The focus map's aggregate on constructed 1080p frames (issue 12): the
// shipped model, a mosaic of the sharp parity fixtures, and the ways camera
// pictures go wrong (tests/common/constructed_frames.h).
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <optional>

#include "../common/constructed_frames.h"
#include "focusmeter/focus_map.h"

namespace fm = focusmeter;

namespace {

cv::Mat fixture(const char* name) {
  return cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name, cv::IMREAD_GRAYSCALE);
}

// 4 x 3 cells of 480 x 360 cut from the sharp fixtures (no scaling, so
// nothing is softened): a sharp 1080p scene.
cv::Mat sharp_scene() {
  const cv::Mat srcs[] = {fixture("astronaut_641x479.png"), fixture("brick_512x512.png"),
                          fixture("camera_512x512.png")};
  cv::Mat out(1080, 1920, CV_8U);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) {
      const cv::Mat& s = srcs[(r * 4 + c) % 3];
      const int dx = (c * 37) % (s.cols - 480 + 1), dy = (r * 53) % (s.rows - 360 + 1);
      s(cv::Rect(dx, dy, 480, 360)).copyTo(out(cv::Rect(c * 480, r * 360, 480, 360)));
    }
  return out;
}

fm::LumaView view(const cv::Mat& m) { return fm::LumaView(m.data, m.cols, m.rows, m.step[0]); }

class FocusMapTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = fm::default_model(); }
  static void TearDownTestSuite() { model_.reset(); }
  static fm::FrameJudgement judge(const cv::Mat& m) { return fm::judge_frame(*model_, view(m)); }
  static std::shared_ptr<const fm::Model> model_;
};
std::shared_ptr<const fm::Model> FocusMapTest::model_;

}  // namespace

TEST_F(FocusMapTest, SharpSceneIsClearWithEveryTileVoting) {
  const cv::Mat m = sharp_scene();
  const fm::FrameJudgement j = judge(m);
  EXPECT_EQ(j.map.grid.cols, 11);
  EXPECT_EQ(j.map.grid.rows, 6);
  EXPECT_EQ(j.judgement.verdict, fm::Verdict::Clear) << j.judgement.score.value_or(-1);
  EXPECT_EQ(j.aggregate.voters, j.map.grid.count());
  EXPECT_FALSE(j.aggregate.partial);
  EXPECT_EQ(j.aggregate.overlay_tiles, 0);
}

TEST_F(FocusMapTest, DefocusedFrameWithCrispOsdTextIsBlurry) {
  for (double r : {4.0, 5.0, 6.0}) {
    cv::Mat m = fm::test::defocus(sharp_scene(), r);
    fm::test::draw_osd(m);
    const fm::FrameJudgement j = judge(m);
    EXPECT_EQ(j.judgement.verdict, fm::Verdict::Blurry) << "r " << r << " " << j.judgement.score.value_or(-1);
    // The text's tiles were recognised and left out.
    EXPECT_GT(j.aggregate.overlay_tiles, 0) << "r " << r;
    EXPECT_FALSE(j.aggregate.partial) << "r " << r;
  }
}

TEST_F(FocusMapTest, SharpFrameWithOsdTextStaysClear) {
  cv::Mat m = sharp_scene();
  fm::test::draw_osd(m);
  EXPECT_EQ(judge(m).judgement.verdict, fm::Verdict::Clear);
}

TEST_F(FocusMapTest, SharpFrameWithASoftCornerIsClear) {
  const cv::Mat m = fm::test::soften_region(sharp_scene(), cv::Rect(0, 0, 640, 360), 8);
  const fm::FrameJudgement j = judge(m);
  EXPECT_EQ(j.judgement.verdict, fm::Verdict::Clear) << j.judgement.score.value_or(-1);
  // The corner's tiles themselves are soft: the map shows where.
  EXPECT_GE(j.map.scores[0], model_->threshold());
  EXPECT_GT(j.aggregate.soft_share, 0.0);
  EXPECT_FALSE(j.aggregate.partial);
}

TEST_F(FocusMapTest, HalfSoftFrameIsPartial) {
  const cv::Mat m = fm::test::soften_region(sharp_scene(), cv::Rect(0, 0, 960, 1080), 6);
  const fm::FrameJudgement j = judge(m);
  EXPECT_TRUE(j.aggregate.partial) << j.aggregate.soft_share;
  // Left column soft, right column sharp.
  const int cols = j.map.grid.cols;
  for (int row = 0; row < j.map.grid.rows; ++row) {
    EXPECT_GE(j.map.scores[row * cols], model_->threshold()) << row;
    EXPECT_LT(j.map.scores[row * cols + cols - 1], model_->threshold()) << row;
  }
}

TEST_F(FocusMapTest, BlackAndFlatFramesHaveNoVerdict) {
  const cv::Mat black(1080, 1920, CV_8U, cv::Scalar(0));
  const cv::Mat flat(1080, 1920, CV_8U, cv::Scalar(128));
  for (const cv::Mat* m : {&black, &flat}) {
    const fm::FrameJudgement j = judge(*m);
    EXPECT_EQ(j.aggregate.voters, 0);
    EXPECT_FALSE(j.aggregate.score.has_value());
    EXPECT_TRUE(j.judgement.low_texture);
    EXPECT_FALSE(j.judgement.verdict) << "UNKNOWN, never a default CLEAR";
    EXPECT_TRUE(j.judgement.no_verdict);
  }
}

TEST_F(FocusMapTest, SmoothRampHasNothingToJudge) {
  // A wall lit from one side: 50 grey levels of contrast across the frame,
  // no detail in any tile.
  cv::Mat m(1080, 1920, CV_8U);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) m.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(100 + 50 * x / m.cols);
  const fm::FrameJudgement j = judge(m);
  EXPECT_EQ(j.aggregate.voters, 0);
  EXPECT_FALSE(j.aggregate.score.has_value());
  EXPECT_TRUE(j.judgement.low_texture);
}

TEST_F(FocusMapTest, AggregateIsTheMedianOfTheVoters) {
  fm::FocusMap map;
  map.grid = fm::tile_grid(400, 200);
  ASSERT_EQ(map.grid.count(), 4 * 2);
  map.scores = {0.1, 0.2, 0.9, 0.95, 0.3, 0.99, 0.0, 0.4};
  map.textured = {true, true, true, true, true, true, false, true};
  map.overlay = {false, false, false, false, false, true, false, false};
  map.voting = {true, true, true, true, true, false, false, true};
  const fm::MapAggregate a = fm::aggregate_map(map, 0.75);
  EXPECT_EQ(a.voters, 6);
  EXPECT_EQ(a.overlay_tiles, 1);
  ASSERT_TRUE(a.score.has_value());
  EXPECT_DOUBLE_EQ(*a.score, (0.3 + 0.4) / 2);  // 0.1 0.2 0.3 0.4 0.9 0.95
  EXPECT_DOUBLE_EQ(a.soft_share, 2.0 / 6);
  EXPECT_TRUE(a.partial);
}
