// The one temporal rule (focusmeter/aggregate.h): share of judged time
// BLURRY against the threshold, frames without verdict do not vote, all
// UNKNOWN gives UNKNOWN with the dominant reason, weights from the times.
#include <gtest/gtest.h>

#include "focusmeter/aggregate.h"

namespace fm = focusmeter;

namespace {

fm::Judgement clear(double score = 0.1) { return {fm::Verdict::Clear, score, std::nullopt, false}; }
fm::Judgement blurry(double score = 0.9) { return {fm::Verdict::Blurry, score, std::nullopt, false}; }
fm::Judgement unknown(fm::NoVerdictKind kind, const char* detail = "why") {
  return {std::nullopt, std::nullopt, fm::NoVerdict{kind, detail}, true};
}

}  // namespace

TEST(Aggregate, BlurryFromHalfTheJudgedFrames) {
  fm::Aggregate half;
  for (auto j : {clear(), blurry(), clear(), blurry()}) half.add(j);
  const fm::AggregateResult r = half.result();
  EXPECT_EQ(r.verdict, fm::Verdict::Blurry);
  EXPECT_DOUBLE_EQ(*r.blurry_share, 0.5);
  EXPECT_DOUBLE_EQ(*r.score, 0.5);
  EXPECT_EQ(r.frames, 4u);
  EXPECT_EQ(r.blurry_frames, 2u);
  EXPECT_FALSE(r.by_time);

  fm::Aggregate less;
  for (auto j : {clear(), blurry(), clear()}) less.add(j);
  EXPECT_EQ(less.result().verdict, fm::Verdict::Clear);
}

TEST(Aggregate, TheThresholdIsTheCallers) {
  fm::Aggregate strict(0.25), lax(0.9);
  for (auto j : {clear(), blurry(), clear(), clear()}) {
    strict.add(j);
    lax.add(j);
  }
  EXPECT_EQ(strict.result().verdict, fm::Verdict::Blurry);
  EXPECT_EQ(lax.result().verdict, fm::Verdict::Clear);
}

TEST(Aggregate, FramesWithoutVerdictDoNotVote) {
  fm::Aggregate a;
  a.add(blurry());
  a.add(unknown(fm::NoVerdictKind::TooDark));
  a.add(unknown(fm::NoVerdictKind::TooDark));
  a.add(clear());
  a.add(blurry());
  const fm::AggregateResult r = a.result();
  EXPECT_EQ(r.verdict, fm::Verdict::Blurry);  // 2 of 3 judged, though only 2 of 5 frames
  EXPECT_DOUBLE_EQ(*r.blurry_share, 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.unknown_share, 2.0 / 5);
  EXPECT_EQ(r.unknown_frames, 2u);
  EXPECT_EQ(r.judged_frames, 3u);
  EXPECT_FALSE(r.no_verdict);
  ASSERT_TRUE(r.unknown_reason);
  EXPECT_EQ(r.unknown_reason->kind, fm::NoVerdictKind::TooDark);
}

TEST(Aggregate, AllUnknownIsUnknownWithTheDominantReason) {
  fm::Aggregate a;
  a.add(unknown(fm::NoVerdictKind::NoDetail, "flat"));
  a.add(unknown(fm::NoVerdictKind::TooDark, "dark 1"));
  a.add(unknown(fm::NoVerdictKind::TooDark, "dark 2"));
  const fm::AggregateResult r = a.result();
  EXPECT_FALSE(r.verdict);
  EXPECT_FALSE(r.score);
  EXPECT_FALSE(r.blurry_share);
  EXPECT_DOUBLE_EQ(r.unknown_share, 1.0);
  ASSERT_TRUE(r.no_verdict);
  EXPECT_EQ(r.no_verdict->kind, fm::NoVerdictKind::TooDark);
  EXPECT_EQ(r.no_verdict->detail, "dark 1");  // the first of that kind

  fm::Aggregate tie;
  tie.add(unknown(fm::NoVerdictKind::NoDetail, "flat"));
  tie.add(unknown(fm::NoVerdictKind::TooDark, "dark"));
  EXPECT_EQ(tie.result().no_verdict->kind, fm::NoVerdictKind::NoDetail);  // ties: the first seen

  const fm::AggregateResult none = fm::Aggregate().result();
  EXPECT_FALSE(none.verdict);
  EXPECT_TRUE(none.no_verdict);
  EXPECT_EQ(none.frames, 0u);
}

TEST(Aggregate, TimesWeighEachFrameByItsStretch) {
  // BLURRY for 1 s, CLEAR for 3 s, then BLURRY (the last stands for the mean
  // stretch, 2 s): 3 of 6 s BLURRY by time, though 2 of 3 frames.
  fm::Aggregate a;
  a.add(blurry(), 10.0);
  a.add(clear(), 11.0);
  a.add(blurry(), 14.0);
  const fm::AggregateResult r = a.result();
  EXPECT_TRUE(r.by_time);
  EXPECT_DOUBLE_EQ(*r.blurry_share, 0.5);
  EXPECT_DOUBLE_EQ(*r.score, (0.9 * 1 + 0.1 * 3 + 0.9 * 2) / 6);

  fm::Aggregate b;
  b.add(blurry(), 0.0);
  b.add(clear(), 1.0);
  b.add(clear(), 4.0);  // BLURRY 1 s of 1 + 3 + 2
  EXPECT_EQ(b.result().verdict, fm::Verdict::Clear);
  EXPECT_DOUBLE_EQ(*b.result().blurry_share, 1.0 / 6);
}

TEST(Aggregate, MissingOrBackwardTimesCountFrames) {
  fm::Aggregate missing;
  missing.add(blurry(), 0.0);
  missing.add(clear(), std::nullopt);
  missing.add(clear(), 9.0);
  EXPECT_FALSE(missing.result().by_time);
  EXPECT_DOUBLE_EQ(*missing.result().blurry_share, 1.0 / 3);

  fm::Aggregate back;
  back.add(blurry(), 5.0);
  back.add(blurry(), 6.0);
  back.add(clear(), 2.0);  // a seek back
  EXPECT_FALSE(back.result().by_time);
  EXPECT_EQ(back.result().verdict, fm::Verdict::Blurry);
}

TEST(Aggregate, UnknownTimeIsReportedLikeBlurryTime) {
  fm::Aggregate a;
  a.add(clear(), 0.0);
  a.add(unknown(fm::NoVerdictKind::TooDark), 1.0);  // dark from 1 s to 9 s
  a.add(clear(), 9.0);
  const fm::AggregateResult r = a.result();
  EXPECT_EQ(r.verdict, fm::Verdict::Clear);
  EXPECT_DOUBLE_EQ(r.unknown_share, 8.0 / (1 + 8 + 4.5));
}
