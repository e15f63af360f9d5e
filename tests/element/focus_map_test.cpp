// The focus map in the element's messages (focusmeter_message.h): grid size,
// one score and two flags per tile, the aggregate; none without a model.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "focusmeter/focus_map.h"
#include "focusmeter/model.h"
#include "focusmeter_message.h"
#include "harness_util.h"

using namespace fmtest;

namespace {

constexpr GstClockTime kFrame = 10 * GST_MSECOND;

void push_gray(Meter& m, const cv::Mat& luma) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_GRAY8, luma.cols, luma.rows);
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, luma.cols, luma.rows);
  gst_buffer_unref(gst_harness_push_and_pull(m.h.get(), make_frame(info, luma, 0, kFrame)));
}

}  // namespace

TEST(FocusMapMessage, GridScoresAndFlagsWithTheShippedModel) {
  // 480 x 288: tiles of the minimum side, 5 x 3.
  const cv::Mat luma = test_luma(480, 288);
  Meter m("interval=0");  // the model of FOCUSMETER_MODEL: the shipped one
  push_gray(m, luma);
  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 1u);
  const GstStructure* s = msgs[0].get();
  int cols = 0, rows = 0;
  ASSERT_TRUE(gst_structure_get_int(s, "map-cols", &cols));
  ASSERT_TRUE(gst_structure_get_int(s, "map-rows", &rows));
  EXPECT_EQ(cols, 5);
  EXPECT_EQ(rows, 3);
  const GValue* scores = gst_structure_get_value(s, "map-scores");
  ASSERT_TRUE(scores && GST_VALUE_HOLDS_ARRAY(scores));
  ASSERT_EQ(gst_value_array_get_size(scores), 15u);
  EXPECT_TRUE(G_VALUE_HOLDS_DOUBLE(gst_value_array_get_value(scores, 0)));
  const GValue* textured = gst_structure_get_value(s, "map-textured");
  ASSERT_TRUE(textured && GST_VALUE_HOLDS_ARRAY(textured));
  EXPECT_TRUE(G_VALUE_HOLDS_BOOLEAN(gst_value_array_get_value(textured, 0)));
  EXPECT_TRUE(gst_structure_has_field_typed(s, "map-soft-share", G_TYPE_DOUBLE));
  EXPECT_TRUE(gst_structure_has_field_typed(s, "map-partial", G_TYPE_BOOLEAN));

  // The frame's score is the median of the voting tiles.
  const auto r = focusmeter::FrameResult::from_structure(s);
  ASSERT_TRUE(r && r->map && r->score);
  std::vector<double> votes;
  for (std::size_t i = 0; i < r->map->scores.size(); ++i)
    if (r->map->textured[i] && !r->map->overlay[i]) votes.push_back(r->map->scores[i]);
  ASSERT_FALSE(votes.empty());
  std::sort(votes.begin(), votes.end());
  const std::size_t k = votes.size() / 2;
  EXPECT_DOUBLE_EQ(*r->score, votes.size() % 2 ? votes[k] : (votes[k - 1] + votes[k]) / 2);
}

TEST(FocusMapMessage, RoiIsGriddedOnItsOwn) {
  const cv::Mat luma = test_luma(640, 480);
  Meter m("interval=0 roi-left=100 roi-top=50 roi-width=300 roi-height=200");
  push_gray(m, luma);
  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 1u);
  const auto r = focusmeter::FrameResult::from_structure(msgs[0].get());
  ASSERT_TRUE(r && r->map);
  const focusmeter::TileGrid g = focusmeter::tile_grid(300, 200);
  EXPECT_EQ(r->map->cols, g.cols);
  EXPECT_EQ(r->map->rows, g.rows);
}

TEST(FocusMapMessage, NoMapWithoutAModel) {
  Meter m("interval=0 model=\"\"");
  push_gray(m, test_luma(480, 288));
  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_FALSE(gst_structure_has_field(msgs[0].get(), "map-cols"));
  EXPECT_FALSE(gst_structure_has_field(msgs[0].get(), "map-scores"));
}
