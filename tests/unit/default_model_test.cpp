// The shipped models/default.json, as compiled in (default_model()): the
// same content as the source file, meets the model card's held-out figures,
// judges real frames sensibly; and the order in which a front end picks its
// model (select_model: named, $FOCUSMETER_MODEL, compiled in).
#include <gtest/gtest.h>

#include <cstdlib>
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

std::string source_model_text() {
  std::ifstream in(FOCUSMETER_SOURCE_MODEL, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Sets or clears $FOCUSMETER_MODEL for one test, and restores it.
class ModelVariable {
 public:
  explicit ModelVariable(const char* value) {
    if (const char* old = std::getenv("FOCUSMETER_MODEL")) old_ = old;
    if (value)
      setenv("FOCUSMETER_MODEL", value, 1);
    else
      unsetenv("FOCUSMETER_MODEL");
  }
  ~ModelVariable() {
    if (old_)
      setenv("FOCUSMETER_MODEL", old_->c_str(), 1);
    else
      unsetenv("FOCUSMETER_MODEL");
  }

 private:
  std::optional<std::string> old_;
};

}  // namespace

TEST(DefaultModel, CompiledInIsTheSourceFile) {
  const auto m = fm::default_model();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->origin(), fm::kCompiledInModelOrigin);
  EXPECT_EQ(fm::default_model(), m) << "parsed once, then shared";
  const fm::Model file = fm::Model::from_json_text(source_model_text(), "source");
  EXPECT_EQ(m->spec(), file.spec());
}

TEST(DefaultModel, SelectionOrderIsNamedThenEnvironmentThenCompiledIn) {
  const std::string test_model = std::string(FOCUSMETER_TEST_DATA) + "/models/check-model.json";
  {
    ModelVariable unset(nullptr);
    EXPECT_EQ(fm::select_model(std::nullopt), fm::default_model());
    EXPECT_EQ(fm::select_model(test_model)->origin(), test_model);
  }
  {
    ModelVariable empty("");  // empty means unset
    EXPECT_EQ(fm::select_model(std::nullopt), fm::default_model());
  }
  {
    ModelVariable set(test_model.c_str());
    EXPECT_EQ(fm::select_model(std::nullopt)->origin(), test_model);
    EXPECT_EQ(fm::select_model(std::string(FOCUSMETER_SOURCE_MODEL))->origin(), FOCUSMETER_SOURCE_MODEL);
  }
  {
    // A named model that is missing is an error of its own kind, never a fall-back.
    ModelVariable missing("/nonexistent/model.json");
    EXPECT_THROW(fm::select_model(std::nullopt), fm::ModelFileMissing);
    EXPECT_THROW(fm::select_model(std::string("/nonexistent/other.json")), fm::ModelFileMissing);
  }
  // An invalid one is a ModelError that is not ModelFileMissing.
  const std::string invalid = std::string(FOCUSMETER_TEST_DATA) + "/parity/reference.json";
  try {
    fm::select_model(invalid);
    ADD_FAILURE() << "an invalid model loaded";
  } catch (const fm::ModelFileMissing&) {
    ADD_FAILURE() << "an invalid model reported as missing";
  } catch (const fm::ModelError&) {
  }
}

TEST(DefaultModel, LoadsAndMeetsItsHeldOutTargets) {
  const fm::Model& m = *fm::default_model();
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
  const fm::Model& m = *fm::default_model();
  for (const char* name : {"camera_512x512.png", "astronaut_641x479.png", "brick_512x512.png"}) {
    const cv::Mat sharp = load(name);
    ASSERT_FALSE(sharp.empty()) << name;
    const fm::Judgement js = fm::judge(m, features_of(sharp, m));
    const fm::Judgement jb = fm::judge(m, features_of(disk_blur(sharp, 5), m));
    EXPECT_EQ(js.verdict, fm::Verdict::Clear) << name << " " << js.score.value_or(-1);
    EXPECT_EQ(jb.verdict, fm::Verdict::Blurry) << name << " " << jb.score.value_or(-1);
    EXPECT_FALSE(js.low_texture);
    EXPECT_FALSE(jb.low_texture);
  }
}

TEST(DefaultModel, NothingToJudgeIsUnknownNotClear) {
  const fm::Model& m = *fm::default_model();
  cv::Mat cap(480, 640, CV_8U, cv::Scalar(4)), noise(cap.size(), CV_8U);
  cv::randn(noise, 0, 2);
  cap += noise;
  const fm::Judgement j = fm::judge(m, features_of(cap, m));
  EXPECT_TRUE(j.low_texture);
  EXPECT_FALSE(j.verdict);
  EXPECT_FALSE(j.score);
  ASSERT_TRUE(j.no_verdict);
  EXPECT_EQ(j.no_verdict->kind, fm::NoVerdictKind::TooDark);
}

// The model contract on the shipped file: it is made for this build's
// feature definitions, carries the trainer's low-texture thresholds, and
// reads back to exactly what `focusmeter train` writes (spec -> JSON).
TEST(DefaultModel, ReSerialisesToTheSameContent) {
  const std::string path = FOCUSMETER_SOURCE_MODEL;
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
