// The content-normalised features and the low-texture guard.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "focusmeter/features.h"
#include "focusmeter/judgement.h"
#include "focusmeter/model.h"
#include "train/synthesis.h"

namespace fm = focusmeter;

namespace {

cv::Mat fixture(const char* name) {
  cv::Mat m = cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name, cv::IMREAD_GRAYSCALE);
  EXPECT_FALSE(m.empty()) << name;
  return m;
}

fm::FeatureVector features_of(const cv::Mat& m) {
  return fm::compute_features(fm::LumaView(m.data, m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0])),
                              fm::all_features());
}

cv::Mat disk_blur(const cv::Mat& m, double r) {
  cv::Mat k, out;
  fm::train::disk_kernel(r).convertTo(k, CV_32F);
  cv::filter2D(m, out, -1, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  return out;
}

cv::Mat with_noise(const cv::Mat& m, double sigma, int seed) {
  cv::Mat f, n(m.size(), CV_32F), out;
  m.convertTo(f, CV_32F);
  cv::RNG rng(seed);
  rng.fill(n, cv::RNG::NORMAL, 0.0, sigma);
  f += n;
  f.convertTo(out, CV_8U);
  return out;
}

}  // namespace

TEST(Features, BaseFeaturesUnchangedByAskingForMore) {
  const cv::Mat cam = fixture("camera_512x512.png");
  const fm::LumaView v(cam.data, cam.cols, cam.rows, static_cast<std::ptrdiff_t>(cam.step[0]));
  const fm::FeatureVector base = fm::compute_features(v);
  const fm::FeatureVector all = fm::compute_features(v, fm::all_features());
  for (std::size_t i = 0; i < fm::kBaseFeatureCount; ++i) EXPECT_EQ(base.values[i], all.values[i]);
  EXPECT_FALSE(base.has(fm::Feature::EdgeSharpness));
  for (std::size_t i = 0; i < fm::kFeatureCount; ++i) EXPECT_TRUE(all.present.test(i)) << i;
}

TEST(Features, SharpnessMeasuresFallWithBlur) {
  const cv::Mat cam = fixture("camera_512x512.png");
  const auto sharp = features_of(cam);
  const auto soft = features_of(disk_blur(cam, 2));
  const auto blurred = features_of(disk_blur(cam, 5));
  for (fm::Feature f : {fm::Feature::EdgeSharpness, fm::Feature::EdgeSharpness2x, fm::Feature::LaplacianRatio2x,
                        fm::Feature::LaplacianRatio4x}) {
    EXPECT_GT(sharp[f], soft[f]) << fm::feature_name(f);
    EXPECT_GT(soft[f], blurred[f]) << fm::feature_name(f);
  }
  EXPECT_LT(sharp[fm::Feature::BlurEffect], soft[fm::Feature::BlurEffect]);
  EXPECT_LT(soft[fm::Feature::BlurEffect], blurred[fm::Feature::BlurEffect]);
  EXPECT_GE(sharp[fm::Feature::BlurEffect], 0.0);
  EXPECT_LE(blurred[fm::Feature::BlurEffect], 1.0);
}

TEST(Features, NormalisedMeasuresIgnoreContrast) {
  // Halving the contrast divides the Laplacian variance by 4 but should
  // barely move the content-normalised measures.
  const cv::Mat cam = fixture("camera_512x512.png");
  cv::Mat half;
  cam.convertTo(half, CV_8U, 0.5, 64);
  const auto a = features_of(cam);
  const auto b = features_of(half);
  EXPECT_NEAR(b[fm::Feature::LaplacianVariance] / a[fm::Feature::LaplacianVariance], 0.25, 0.03);
  for (fm::Feature f : {fm::Feature::EdgeSharpness, fm::Feature::EdgeSharpness2x, fm::Feature::LaplacianRatio4x,
                        fm::Feature::BlurEffect})
    EXPECT_NEAR(b[f] / a[f], 1.0, 0.1) << fm::feature_name(f);
}

TEST(Features, NoiseCompensationKeepsEdgeSharpnessOfABlurredFrameLow) {
  const cv::Mat blurred = disk_blur(fixture("camera_512x512.png"), 4);
  const auto clean = features_of(blurred);
  const auto noisy = features_of(with_noise(blurred, 6, 1));
  const auto sharp = features_of(fixture("camera_512x512.png"));
  EXPECT_LT(noisy[fm::Feature::EdgeSharpness], 0.5 * sharp[fm::Feature::EdgeSharpness]);
  EXPECT_LT(noisy[fm::Feature::EdgeSharpness2x], 0.5 * sharp[fm::Feature::EdgeSharpness2x]);
  EXPECT_GT(clean[fm::Feature::EdgeSharpness], 0.0);
}

TEST(Features, PaddedRowsGiveTheSameValues) {
  const cv::Mat cam = fixture("astronaut_641x479.png");
  cv::Mat padded(cam.rows, cam.cols + 13, CV_8U, cv::Scalar(255));
  cam.copyTo(padded(cv::Rect(0, 0, cam.cols, cam.rows)));
  const auto a = features_of(cam);
  const auto b =
      fm::compute_features(fm::LumaView(padded.data, cam.cols, cam.rows, padded.step[0]), fm::all_features());
  for (std::size_t i = 0; i < fm::kFeatureCount; ++i) EXPECT_EQ(a.values[i], b.values[i]) << i;
}

TEST(Features, TinyAndEmptyFramesDoNotCrash) {
  for (auto [w, h] : {std::pair{0, 0}, {1, 1}, {2, 1}, {1, 7}, {3, 3}, {5, 2}}) {
    std::vector<std::uint8_t> px(static_cast<std::size_t>(w * h) + 1, 77);
    const auto fv = fm::compute_features(fm::LumaView(px.data(), w, h, w), fm::all_features());
    for (std::size_t i = 0; i < fm::kFeatureCount; ++i) EXPECT_TRUE(std::isfinite(fv.values[i])) << w << "x" << h;
  }
}

// The thresholds live in the model file: the shipped model's.
bool low_texture(const fm::FeatureVector& fv) {
  static const fm::LowTextureThresholds shipped = fm::default_model()->low_texture_thresholds();
  return fm::low_texture(fv, shipped);
}

TEST(LowTexture, FlagsFlatDarkAndCoveredFramesOnly) {
  const cv::Mat flat_wall = with_noise(cv::Mat(480, 640, CV_8U, cv::Scalar(128)), 4, 2);
  const cv::Mat lens_cap = with_noise(cv::Mat(480, 640, CV_8U, cv::Scalar(3)), 2, 3);
  cv::Mat night;
  fixture("camera_512x512.png").convertTo(night, CV_8U, 0.03, 2);  // a few grey levels of scene
  cv::Mat gradient(480, 640, CV_8U);
  for (int y = 0; y < gradient.rows; ++y) gradient.row(y).setTo(cv::Scalar(60 + y / 4));  // lit wall
  for (const cv::Mat& m : {flat_wall, lens_cap, night, gradient}) EXPECT_TRUE(low_texture(features_of(m)));

  const cv::Mat cam = fixture("camera_512x512.png");
  EXPECT_FALSE(low_texture(features_of(cam)));
  EXPECT_FALSE(low_texture(features_of(disk_blur(cam, 5))));  // blurred, but there is a scene
  EXPECT_FALSE(low_texture(features_of(with_noise(disk_blur(cam, 5), 6, 4))));
  EXPECT_FALSE(low_texture(fm::FeatureVector{}));  // nothing measured: no claim
}

TEST(LowTexture, ThresholdsComeFromTheModel) {
  const cv::Mat cam = fixture("camera_512x512.png");
  const fm::FeatureVector fv = features_of(cam);
  EXPECT_FALSE(fm::low_texture(fv, {0.015, 0.003}));
  // The same frame under a model demanding far more texture.
  EXPECT_TRUE(fm::low_texture(fv, {0.015, 1.0}));
  EXPECT_TRUE(fm::low_texture(fv, {1.0, 0.003}));
  // Without a model, features-only reports use the shipped model's values.
  EXPECT_EQ(fm::low_texture_thresholds(nullptr), fm::default_model()->low_texture_thresholds());
}

// Nothing to judge is UNKNOWN with a reason naming the cause, never CLEAR
// (focusmeter/judgement.h); a scene, sharp or blurred, gets a verdict.
TEST(NothingToJudge, BlackAndFlatFramesAreUnknownWithTheirCause) {
  const auto model = fm::default_model();
  const cv::Mat lens_cap = with_noise(cv::Mat(480, 640, CV_8U, cv::Scalar(3)), 2, 3);
  const cv::Mat black(480, 640, CV_8U, cv::Scalar(0));
  cv::Mat night;
  fixture("camera_512x512.png").convertTo(night, CV_8U, 0.03, 2);
  for (const cv::Mat& m : {lens_cap, black, night}) {
    const fm::Judgement j = fm::judge(*model, features_of(m));
    EXPECT_FALSE(j.verdict);
    EXPECT_FALSE(j.score);
    ASSERT_TRUE(j.no_verdict);
    EXPECT_EQ(j.no_verdict->kind, fm::NoVerdictKind::TooDark);
    EXPECT_EQ(j.no_verdict->detail.rfind("covered or too dark (mean luma ", 0), 0u) << j.no_verdict->detail;
    EXPECT_TRUE(j.low_texture);
  }
  EXPECT_EQ(fm::judge(*model, features_of(black)).no_verdict->detail, "covered or too dark (mean luma 0/255)");

  cv::Mat gradient(480, 640, CV_8U);
  for (int y = 0; y < gradient.rows; ++y) gradient.row(y).setTo(cv::Scalar(60 + y / 4));
  const cv::Mat flat_wall = with_noise(cv::Mat(480, 640, CV_8U, cv::Scalar(128)), 4, 2);
  for (const cv::Mat& m : {flat_wall, gradient}) {
    const fm::Judgement j = fm::judge(*model, features_of(m));
    EXPECT_FALSE(j.verdict);
    ASSERT_TRUE(j.no_verdict);
    EXPECT_EQ(j.no_verdict->kind, fm::NoVerdictKind::NoDetail);
    EXPECT_EQ(j.no_verdict->detail.rfind("no detail to judge focus: flat picture (detail ", 0), 0u)
        << j.no_verdict->detail;
  }

  const cv::Mat cam = fixture("camera_512x512.png");
  for (const cv::Mat& m : {cam, disk_blur(cam, 5)}) {
    const fm::Judgement j = fm::judge(*model, features_of(m));
    EXPECT_TRUE(j.verdict);
    EXPECT_TRUE(j.score);
    EXPECT_FALSE(j.no_verdict);
  }
  EXPECT_EQ(fm::judge(*model, features_of(cam)).verdict, fm::Verdict::Clear);
  EXPECT_EQ(fm::judge(*model, features_of(disk_blur(cam, 5))).verdict, fm::Verdict::Blurry);
  // Features only: NoModel, whatever the picture.
  EXPECT_EQ(fm::judge(nullptr, features_of(cam)).no_verdict->kind, fm::NoVerdictKind::NoModel);
  EXPECT_EQ(fm::judge(nullptr, features_of(black)).no_verdict->kind, fm::NoVerdictKind::NoModel);
}
