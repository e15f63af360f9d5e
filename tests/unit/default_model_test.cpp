// The shipped models/default.json: loads through default_model_path() (the
// devenv points FOCUSMETER_MODEL at the source tree's file), meets the
// model card's held-out figures, and judges real frames sensibly.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "focusmeter/judgement.h"
#include "focusmeter/model.h"
#include "train/synthesis.h"
#include "train/trainer.h"

namespace fm = focusmeter;

namespace {

fm::FeatureVector features_of(const cv::Mat& m, const fm::Model& model) {
  return fm::compute_features(fm::LumaView(m.data, m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0])),
                              fm::judgement_features(&model));
}

cv::Mat load(const char* name) {
  return cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name, cv::IMREAD_GRAYSCALE);
}

cv::Mat disk_blur(const cv::Mat& m, double r) {
  cv::Mat k, out;
  fm::train::disk_kernel(r).convertTo(k, CV_32F);
  cv::filter2D(m, out, -1, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  return out;
}

}  // namespace

TEST(DefaultModel, LoadsAndMeetsItsHeldOutTargets) {
  const fm::Model m = fm::Model::load(fm::default_model_path());
  const auto t = nlohmann::json::parse(m.training_json());
  const auto& target = t.at("held_out").at("held_out_target");
  EXPECT_GE(target.at("balanced_accuracy").get<double>(), 0.97);
  EXPECT_LE(target.at("false_alarm_rate").get<double>(), 0.02);
  EXPECT_GT(target.at("clear").get<int>(), 50);
  EXPECT_GT(target.at("blurry").get<int>(), 50);
  EXPECT_GT(m.threshold(), 0.0);
  EXPECT_LT(m.threshold(), 1.0);
}

TEST(DefaultModel, SharpFixturesAreClearAndBlurredOnesBlurry) {
  const fm::Model m = fm::Model::load(fm::default_model_path());
  for (const char* name : {"camera_512x512.png", "astronaut_641x479.png", "brick_512x512.png"}) {
    const cv::Mat sharp = load(name);
    ASSERT_FALSE(sharp.empty()) << name;
    const fm::Judgement js = fm::judge(m, features_of(sharp, m));
    const fm::Judgement jb = fm::judge(m, features_of(disk_blur(sharp, 5), m));
    EXPECT_EQ(js.prediction.verdict, fm::Verdict::Clear) << name << " " << js.prediction.score;
    EXPECT_EQ(jb.prediction.verdict, fm::Verdict::Blurry) << name << " " << jb.prediction.score;
    EXPECT_FALSE(js.low_texture);
    EXPECT_FALSE(jb.low_texture);
  }
}

TEST(DefaultModel, NothingToJudgeScoresOneHalf) {
  const fm::Model m = fm::Model::load(fm::default_model_path());
  cv::Mat cap(480, 640, CV_8U, cv::Scalar(4)), noise(cap.size(), CV_8U);
  cv::randn(noise, 0, 2);
  cap += noise;
  const fm::Judgement j = fm::judge(m, features_of(cap, m));
  EXPECT_TRUE(j.low_texture);
  EXPECT_EQ(j.prediction.score, 0.5);
  EXPECT_EQ(j.prediction.verdict, m.threshold() <= 0.5 ? fm::Verdict::Blurry : fm::Verdict::Clear);
}

// The model contract on the shipped file: it is made for this build's
// feature definitions, carries the trainer's low-texture thresholds, and
// reads back to exactly what `focusmeter train` writes (spec -> JSON).
TEST(DefaultModel, ReSerialisesToTheSameContent) {
  const std::string path = fm::default_model_path();
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  std::ostringstream text;
  text << in.rdbuf();
  const fm::Model m = fm::Model::load(path);
  EXPECT_EQ(m.spec().feature_version, fm::kFeatureVersion);
  EXPECT_EQ(m.low_texture_thresholds(), fm::train::kTrainedLowTexture);
  EXPECT_EQ(m.spec().to_json().dump(2) + "\n", text.str());
  EXPECT_EQ(fm::ModelSpec::from_json(m.spec().to_json(), "again"), m.spec());
}
