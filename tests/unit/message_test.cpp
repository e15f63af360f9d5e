// The element's message contract (gst-plugin/element/focusmeter_message.h):
// every field survives to_structure() / from_structure(), absent optionals
// stay absent, and the two kinds are told apart by `final`.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include "focusmeter_message.h"

namespace fm = focusmeter;

namespace {

struct StructurePtr {
  GstStructure* s;
  ~StructurePtr() { gst_structure_free(s); }
};

fm::FrameResult full_frame() {
  fm::FrameResult r;
  r.timestamp = 3 * GST_SECOND;
  r.stream_time = 2 * GST_SECOND;
  r.running_time = 1 * GST_SECOND;
  r.duration = GST_SECOND / 10;
  r.frames = 7;
  r.width = 1920;
  r.height = 1080;
  r.roi = {10, 20, 300, 400};
  for (std::size_t i = 0; i < fm::kFeatureCount; ++i) r.features.set(static_cast<fm::Feature>(i), 0.125 * (i + 1));
  r.low_texture = true;
  r.score = 0.625;
  r.verdict = fm::Verdict::Blurry;
  r.skipped = {4, 5, 6};
  fm::MapSummary m;
  m.cols = 3;
  m.rows = 2;
  m.scores = {0.1, 0.9, 0.25, 0.5, 0.75, 1.0};
  m.textured = {true, true, false, true, true, true};
  m.overlay = {false, true, false, false, false, false};
  m.soft_share = 0.5;
  m.partial = true;
  r.map = m;
  return r;
}

TEST(FrameResult, RoundTripsEveryField) {
  const fm::FrameResult in = full_frame();
  StructurePtr s{in.to_structure()};
  EXPECT_TRUE(gst_structure_has_name(s.s, "focusmeter"));
  const auto out = fm::FrameResult::from_structure(s.s);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->timestamp, in.timestamp);
  EXPECT_EQ(out->stream_time, in.stream_time);
  EXPECT_EQ(out->running_time, in.running_time);
  EXPECT_EQ(out->duration, in.duration);
  EXPECT_EQ(out->frames, in.frames);
  EXPECT_EQ(out->width, in.width);
  EXPECT_EQ(out->height, in.height);
  EXPECT_EQ(out->roi.left, 10);
  EXPECT_EQ(out->roi.top, 20);
  EXPECT_EQ(out->roi.width, 300);
  EXPECT_EQ(out->roi.height, 400);
  EXPECT_EQ(out->features.present, in.features.present);
  EXPECT_EQ(out->features.values, in.features.values);
  EXPECT_TRUE(out->low_texture);
  EXPECT_EQ(out->score, in.score);
  EXPECT_EQ(out->verdict, in.verdict);
  EXPECT_EQ(out->skipped, in.skipped);
  ASSERT_TRUE(out->map);
  EXPECT_EQ(*out->map, *in.map);
  // The tile scores are a GstValueArray of doubles, as documented.
  const GValue* scores = gst_structure_get_value(s.s, "map-scores");
  ASSERT_TRUE(scores && G_VALUE_HOLDS(scores, gst_value_array_get_type()));
  EXPECT_EQ(gst_value_array_get_size(scores), 6u);
  EXPECT_FALSE(fm::StreamSummary::from_structure(s.s)) << "a frame result is not a summary";
}

TEST(FrameResult, InconsistentMapIsNotRead) {
  StructurePtr s{full_frame().to_structure()};
  gst_structure_set(s.s, "map-cols", G_TYPE_INT, 4, nullptr);  // 4 x 2 tiles, 6 scores
  const auto out = fm::FrameResult::from_structure(s.s);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->map);
  gst_structure_remove_field(s.s, "map-scores");
  gst_structure_set(s.s, "map-cols", G_TYPE_INT, 3, nullptr);
  EXPECT_FALSE(fm::FrameResult::from_structure(s.s)->map);
}

TEST(FrameResult, WithoutAModelHasNoScoreNorVerdict) {
  fm::FrameResult in = full_frame();
  in.score.reset();
  in.verdict.reset();
  in.timestamp = GST_CLOCK_TIME_NONE;
  in.features = {};
  in.features.set(fm::Feature::Brightness, 0.5);
  in.map.reset();
  StructurePtr s{in.to_structure()};
  EXPECT_FALSE(gst_structure_has_field(s.s, "score"));
  EXPECT_FALSE(gst_structure_has_field(s.s, "map-cols"));
  EXPECT_FALSE(gst_structure_has_field(s.s, "verdict"));
  const auto out = fm::FrameResult::from_structure(s.s);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->score);
  EXPECT_FALSE(out->verdict);
  EXPECT_FALSE(out->map);
  EXPECT_EQ(out->timestamp, GST_CLOCK_TIME_NONE);
  EXPECT_EQ(out->features.present.count(), 1u);
  EXPECT_DOUBLE_EQ(out->features[fm::Feature::Brightness], 0.5);
}

TEST(FrameResult, UnknownCarriesItsReasonAndNoScore) {
  fm::FrameResult in = full_frame();
  in.score.reset();
  in.verdict.reset();
  in.no_verdict = fm::NoVerdict{fm::NoVerdictKind::TooDark, "covered or too dark (mean luma 3/255)"};
  StructurePtr s{in.to_structure()};
  EXPECT_STREQ(gst_structure_get_string(s.s, "verdict"), "UNKNOWN");
  EXPECT_STREQ(gst_structure_get_string(s.s, "no-verdict-kind"), "too_dark");
  EXPECT_FALSE(gst_structure_has_field(s.s, "score"));
  const auto out = fm::FrameResult::from_structure(s.s);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->verdict);
  EXPECT_FALSE(out->score);
  ASSERT_TRUE(out->no_verdict);
  EXPECT_EQ(out->no_verdict->kind, fm::NoVerdictKind::TooDark);
  EXPECT_EQ(out->no_verdict->detail, "covered or too dark (mean luma 3/255)");
  const fm::Judgement j = out->judgement();
  EXPECT_FALSE(j.verdict);
  EXPECT_EQ(j.no_verdict->kind, fm::NoVerdictKind::TooDark);
  // Without a model there is no verdict field at all, and the judgement says so.
  fm::FrameResult bare = full_frame();
  bare.score.reset();
  bare.verdict.reset();
  StructurePtr b{bare.to_structure()};
  EXPECT_FALSE(gst_structure_has_field(b.s, "verdict"));
  EXPECT_EQ(fm::FrameResult::from_structure(b.s)->judgement().no_verdict->kind, fm::NoVerdictKind::NoModel);
}

TEST(StreamSummary, RoundTripsWithAndWithoutAModel) {
  fm::StreamSummary in;
  in.frames = 12;
  fm::AggregateResult a;
  a.frames = 12;
  a.judged_frames = 10;
  a.blurry_frames = 3;
  a.unknown_frames = 2;
  a.blurry_share = 0.3;
  a.unknown_share = 2.0 / 12;
  a.score = 0.25;
  a.verdict = fm::Verdict::Clear;
  in.aggregate = a;
  in.skipped = {9, 0, 1};
  StructurePtr s{in.to_structure()};
  const auto out = fm::StreamSummary::from_structure(s.s);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->frames, 12u);
  ASSERT_TRUE(out->aggregate);
  EXPECT_EQ(out->aggregate->judged_frames, 10u);
  EXPECT_EQ(out->aggregate->blurry_frames, 3u);
  EXPECT_EQ(out->aggregate->unknown_frames, 2u);
  EXPECT_EQ(out->aggregate->blurry_share, a.blurry_share);
  EXPECT_DOUBLE_EQ(out->aggregate->unknown_share, a.unknown_share);
  EXPECT_EQ(out->aggregate->score, a.score);
  EXPECT_EQ(out->aggregate->verdict, a.verdict);
  EXPECT_EQ(out->skipped, in.skipped);
  EXPECT_FALSE(fm::FrameResult::from_structure(s.s)) << "a summary is not a frame result";

  fm::StreamSummary unknown;
  unknown.frames = 4;
  fm::AggregateResult u;
  u.frames = u.unknown_frames = 4;
  u.unknown_share = 1;
  u.no_verdict = fm::NoVerdict{fm::NoVerdictKind::NoDetail, "no detail to judge focus: flat picture (detail 1/255)"};
  unknown.aggregate = u;
  StructurePtr us{unknown.to_structure()};
  EXPECT_STREQ(gst_structure_get_string(us.s, "verdict"), "UNKNOWN");
  EXPECT_FALSE(gst_structure_has_field(us.s, "blurry-share"));
  const auto uout = fm::StreamSummary::from_structure(us.s);
  ASSERT_TRUE(uout && uout->aggregate);
  EXPECT_FALSE(uout->aggregate->verdict);
  EXPECT_EQ(uout->aggregate->no_verdict->kind, fm::NoVerdictKind::NoDetail);

  StructurePtr bare{fm::StreamSummary{}.to_structure()};
  const auto empty = fm::StreamSummary::from_structure(bare.s);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->frames, 0u);
  EXPECT_FALSE(empty->aggregate);
}

TEST(FocusmeterMessage, OtherStructuresAreNotRead) {
  StructurePtr other{gst_structure_new("something-else", "final", G_TYPE_BOOLEAN, FALSE, nullptr)};
  EXPECT_FALSE(fm::FrameResult::from_structure(other.s));
  StructurePtr no_final{gst_structure_new_empty("focusmeter")};
  EXPECT_FALSE(fm::FrameResult::from_structure(no_final.s));
  EXPECT_FALSE(fm::StreamSummary::from_structure(no_final.s));
  StructurePtr bad_verdict{fm::FrameResult{}.to_structure()};
  gst_structure_set(bad_verdict.s, "verdict", G_TYPE_STRING, "MAYBE", nullptr);
  EXPECT_FALSE(fm::FrameResult::from_structure(bad_verdict.s)->verdict);
}

}  // namespace
