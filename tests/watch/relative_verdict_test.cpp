// The watch's pure judgement: the relative focus drop, the view match, the
// day/night split and reference combination, and the decision order.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "nlohmann/json.hpp"
#include "watch/frame_signature.h"
#include "watch/reference.h"
#include "watch/relative_verdict.h"
#include "watch/watch_cameras.h"

namespace fw = focusmeter::watch;
using focusmeter::Feature;
using focusmeter::FeatureVector;
using focusmeter::Verdict;

namespace {

cv::Mat scene(int seed, int w = 320, int h = 240) {
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(90, 110, 120));
  cv::RNG rng(seed);
  for (int i = 0; i < 60; ++i)
    cv::rectangle(img, {rng.uniform(0, w), rng.uniform(0, h), rng.uniform(5, 60), rng.uniform(5, 60)},
                  cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)), cv::FILLED);
  return img;
}

fw::FrameSignature signature(const cv::Mat& bgr) {
  cv::Mat gray, lap, gx, gy;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  gray.convertTo(gray, CV_64F, 1.0 / 255);
  cv::Laplacian(gray, lap, CV_64F);
  cv::Scharr(gray, gx, CV_64F, 1, 0);
  cv::Scalar m, sd, lm, lsd;
  cv::meanStdDev(gray, m, sd);
  cv::meanStdDev(lap, lm, lsd);
  FeatureVector f;
  f.set(Feature::Brightness, m[0]);
  f.set(Feature::Contrast, sd[0]);
  f.set(Feature::LaplacianVariance, lsd[0] * lsd[0]);
  f.set(Feature::ScharrVariance, 0.1);
  f.set(Feature::NoiseSigma, 0.001);
  return fw::signature_of(bgr, f);
}

cv::Mat blurred(const cv::Mat& img, double sigma) {
  cv::Mat out;
  cv::GaussianBlur(img, out, {0, 0}, sigma);
  return out;
}

}  // namespace

TEST(RelativeDrop, ZeroForTheSamePictureAndGrowsWithDefocus) {
  const cv::Mat sharp = scene(1);
  const auto ref = signature(sharp);
  EXPECT_NEAR(*fw::relative_focus_drop(ref, signature(sharp)), 0.0, 1e-9);
  const double d1 = *fw::relative_focus_drop(ref, signature(blurred(sharp, 1.0)));
  const double d2 = *fw::relative_focus_drop(ref, signature(blurred(sharp, 2.5)));
  EXPECT_GT(d1, 0.3);
  EXPECT_GT(d2, d1);
  EXPECT_LT(d2, 1.0);
  // Sharper than the reference is no drop.
  EXPECT_EQ(*fw::relative_focus_drop(signature(blurred(sharp, 1.0)), signature(sharp)), 0.0);
}

TEST(RelativeDrop, ExposureChangeCancels) {
  const cv::Mat sharp = scene(2);
  cv::Mat darker;
  sharp.convertTo(darker, -1, 0.6, 10);  // gain and offset: contrast and energy scale together
  EXPECT_LT(*fw::relative_focus_drop(signature(sharp), signature(darker)), 0.1);
}

TEST(RelativeDrop, NoTexturedCellNoAnswer) {
  fw::FrameSignature flat;
  flat.whole = {1e-6, 1e-6, 0.001};
  EXPECT_FALSE(fw::relative_focus_drop(flat, flat).has_value());
}

// Crisp text burnt into a defocused picture (a camera's OSD) keeps the
// energy of the cells it covers: over the whole frame it hides much of the
// drop, cell by cell it moves the median little.
TEST(RelativeDrop, CellByCellOverlaidTextHidesLittle) {
  const cv::Mat sharp = scene(11, 640, 480);
  cv::Mat soft = blurred(sharp, 2.5);
  for (int line = 0; line < 2; ++line)
    cv::putText(soft, "2026-12-03 18:40:0" + std::to_string(line), {8, 40 + 40 * line}, cv::FONT_HERSHEY_SIMPLEX, 1.0,
                cv::Scalar(255, 255, 255), 2, cv::LINE_8);
  const auto ref = signature(sharp);
  const auto now = signature(soft);
  ASSERT_EQ(now.cells.size(), static_cast<std::size_t>(fw::kCellCols * fw::kCellRows));
  auto whole_only = [](fw::FrameSignature s) {
    s.cells.clear();
    s.grid_cols = s.grid_rows = 0;
    return s;
  };
  const double by_cell = *fw::relative_focus_drop(ref, now);
  const double whole = *fw::relative_focus_drop(whole_only(ref), whole_only(now));
  EXPECT_GE(by_cell, 0.9);
  EXPECT_LT(whole, by_cell - 0.2) << "the text should hide much of the whole frame's drop";
}

// A reference stored before the grid (one cell: the whole frame) is still
// compared, by whole frames, with a check that has cells.
TEST(RelativeDrop, ReferenceStoredBeforeTheGridComparesWholeFrames) {
  const cv::Mat sharp = scene(12);
  const auto ref = signature(sharp);
  nlohmann::json old = nlohmann::json::parse(fw::signature_json(ref));
  old["cells"] = nlohmann::json::array({old["whole"]});
  old.erase("whole");
  old.erase("grid");
  const auto back = fw::signature_from_json(old.dump());
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->cells.empty());
  EXPECT_DOUBLE_EQ(back->whole.laplacian_variance, ref.whole.laplacian_variance);
  EXPECT_NEAR(*fw::relative_focus_drop(*back, signature(sharp)), 0.0, 1e-9);
  EXPECT_GT(*fw::relative_focus_drop(*back, signature(blurred(sharp, 2.5))), 0.5);
  // A grid that does not match its cells is refused.
  nlohmann::json bad = nlohmann::json::parse(fw::signature_json(ref));
  bad["grid"] = {5, 5};
  EXPECT_FALSE(fw::signature_from_json(bad.dump()));
}

TEST(ViewMatch, SameSceneMatchesEvenBlurredOrShaken) {
  const cv::Mat a = scene(3);
  const auto ref = signature(a);
  EXPECT_GT(fw::view_match(ref.thumbnail, signature(blurred(a, 3)).thumbnail)->correlation, 0.9);
  cv::Mat shaken;
  const cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, 6, 0, 1, -4);
  cv::warpAffine(a, shaken, shift, a.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  const auto m = fw::view_match(ref.thumbnail, signature(shaken).thumbnail);
  EXPECT_GT(m->correlation, 0.8);
  EXPECT_LT(m->shift, 0.1);
}

TEST(ViewMatch, OtherSceneDoesNot) {
  const auto m = fw::view_match(signature(scene(4)).thumbnail, signature(scene(5)).thumbnail);
  ASSERT_TRUE(m);
  EXPECT_LT(m->correlation, 0.5);
}

TEST(ViewMatch, FlatThumbnailHasNoAnswer) {
  cv::Mat black = cv::Mat::zeros(240, 320, CV_8UC3);
  EXPECT_FALSE(fw::view_match(signature(scene(6)).thumbnail, signature(black).thumbnail).has_value());
}

TEST(LightMode, MonochromeOrDarkIsNight) {
  cv::Mat gray;
  cv::cvtColor(scene(7), gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(gray, gray, cv::COLOR_GRAY2BGR);
  EXPECT_EQ(signature(gray).mode, fw::LightMode::Night);
  EXPECT_EQ(signature(scene(7)).mode, fw::LightMode::Day);
  cv::Mat dim;
  scene(7).convertTo(dim, -1, 0.15, 0);
  EXPECT_EQ(signature(dim).mode, fw::LightMode::Night);
}

TEST(Signature, JsonRoundTrip) {
  const auto s = signature(scene(8));
  const auto back = fw::signature_from_json(fw::signature_json(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->mode, s.mode);
  EXPECT_DOUBLE_EQ(back->whole.laplacian_variance, s.whole.laplacian_variance);
  ASSERT_EQ(back->cells.size(), s.cells.size());
  EXPECT_DOUBLE_EQ(back->cells.at(5).laplacian_variance, s.cells.at(5).laplacian_variance);
  EXPECT_EQ(back->grid_cols, fw::kCellCols);
  EXPECT_EQ(cv::norm(back->thumbnail, s.thumbnail, cv::NORM_INF), 0);
  EXPECT_FALSE(fw::signature_from_json("{\"reason\": \"unreachable\"}"));
  EXPECT_FALSE(fw::signature_from_json("not json"));
}

TEST(Reference, CombinationIsTheMedianSoOneOddCheckDoesNotCount) {
  const cv::Mat a = scene(9);
  std::vector<fw::FrameSignature> sigs{signature(a), signature(a), signature(blurred(a, 4)), signature(a),
                                       signature(a)};
  const auto ref = fw::combine_signatures(sigs);
  ASSERT_TRUE(ref);
  EXPECT_DOUBLE_EQ(ref->whole.laplacian_variance, sigs[0].whole.laplacian_variance);
  ASSERT_EQ(ref->cells.size(), sigs[0].cells.size());
  EXPECT_DOUBLE_EQ(ref->cells[3].laplacian_variance, sigs[0].cells[3].laplacian_variance);
  EXPECT_EQ(cv::norm(ref->thumbnail, sigs[0].thumbnail, cv::NORM_INF), 0);
  EXPECT_FALSE(fw::combine_signatures({}));
}

TEST(Judge, DecisionOrder) {
  const cv::Mat a = scene(10);
  fw::CheckFacts f;
  f.analysed = true;
  f.absolute = Verdict::Clear;
  f.signature = signature(a);
  // No reference: the absolute verdict.
  EXPECT_EQ(fw::judge_check(f, {}).label, "CLEAR");
  f.absolute = Verdict::Blurry;
  EXPECT_EQ(fw::judge_check(f, {}).outcome, fw::CheckOutcome::Blurry);
  // With a reference: relative, even when the absolute verdict says otherwise.
  f.reference = signature(a);
  auto j = fw::judge_check(f, {});
  EXPECT_EQ(j.outcome, fw::CheckOutcome::Clear);
  EXPECT_TRUE(j.against_reference);
  f.absolute = Verdict::Clear;
  f.signature = signature(blurred(a, 2.0));
  j = fw::judge_check(f, {});
  EXPECT_EQ(j.label, "BLURRY (drift)");
  EXPECT_EQ(j.outcome, fw::CheckOutcome::Blurry);
  // Another scene: view changed, never blurry.
  f.signature = signature(blurred(scene(11), 2.0));
  EXPECT_EQ(fw::judge_check(f, {}).outcome, fw::CheckOutcome::ViewChanged);
  // Black: obscured (UNKNOWN), before anything else.
  f.signature = signature(cv::Mat::zeros(240, 320, CV_8UC3));
  j = fw::judge_check(f, {});
  EXPECT_EQ(j.outcome, fw::CheckOutcome::Obscured);
  EXPECT_EQ(j.label, "UNKNOWN");
  // No picture at all.
  f.analysed = false;
  EXPECT_EQ(fw::judge_check(f, {}).outcome, fw::CheckOutcome::Unavailable);
}

TEST(Duration, Parses) {
  EXPECT_EQ(fw::parse_duration("300"), 300.0);
  EXPECT_EQ(fw::parse_duration("90s"), 90.0);
  EXPECT_EQ(fw::parse_duration("5m"), 300.0);
  EXPECT_EQ(fw::parse_duration("1.5h"), 5400.0);
  EXPECT_FALSE(fw::parse_duration("5x"));
  EXPECT_FALSE(fw::parse_duration("-1"));
  EXPECT_FALSE(fw::parse_duration(""));
  EXPECT_FALSE(fw::parse_duration("m"));
}
