// The endpoints as pure functions, without a socket.
#include "serve/api.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <opencv2/imgcodecs.hpp>
#include <vector>
#include "focusmeter/focus_map.h"
#include "media/image_luma.h"

namespace fm = focusmeter;
namespace fs = focusmeter::serve;
using nlohmann::json;

namespace {

fm::Model test_model() { return fm::Model::load(std::string(FOCUSMETER_TEST_DATA) + "/models/serve-model.json"); }

std::string fixture_bytes(const char* name) {
  std::ifstream in(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

json item(double lapvar, double lapmax, double sigma, double scharr) {
  return {{"features",
           {{"laplacian_variance", lapvar},
            {"laplacian_max", lapmax},
            {"noise_sigma", sigma},
            {"scharr_variance", scharr}}}};
}

std::string error_of(const fs::ApiResponse& r) { return json::parse(r.body)["error"]; }

}  // namespace

TEST(Predict, OneObjectGivesOneResultWithTheModelsScore) {
  const fm::Model m = test_model();
  const fs::ApiResponse r = fs::predict(m, item(0.01, 1.2, 0.004, 0.003).dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  fm::FeatureVector fv;
  fv.set(fm::Feature::LaplacianVariance, 0.01);
  fv.set(fm::Feature::LaplacianMax, 1.2);
  fv.set(fm::Feature::NoiseSigma, 0.004);
  fv.set(fm::Feature::ScharrVariance, 0.003);
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), m.score(fv));
  EXPECT_EQ(j["verdict"], "CLEAR");
  EXPECT_EQ(j["model"], "serve-test");
  EXPECT_EQ(r.tally.clear, 1u);
  EXPECT_EQ(r.tally.blurry, 0u);
}

TEST(Predict, AListGivesAListInOrder) {
  const fm::Model m = test_model();
  const json body = json::array({item(0.01, 1.2, 0.004, 0.003), item(1e-5, 0.1, 0.004, 3e-5)});
  const fs::ApiResponse r = fs::predict(m, body.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["verdict"], "CLEAR");
  EXPECT_EQ(j[1]["verdict"], "BLURRY");
  EXPECT_EQ(r.tally.clear, 1u);
  EXPECT_EQ(r.tally.blurry, 1u);
  EXPECT_EQ(fs::predict(m, "[]").body, "[]\n");
}

TEST(Predict, MalformedJsonIs400WithWhere) {
  const fs::ApiResponse r = fs::predict(test_model(), "{\"features\": [1,");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(error_of(r).rfind("malformed JSON: parse error at line 1", 0), 0u) << error_of(r);
  EXPECT_EQ(json::parse(r.body)["status"], 400);
  EXPECT_EQ(fs::predict(test_model(), "").status, 400u);
}

TEST(Predict, MissingFeaturesAre422NamingThemNeverZeroFilled) {
  json body = item(0.01, 1.2, 0.004, 0.003);
  body["features"].erase("noise_sigma");
  body["features"].erase("laplacian_max");
  const fs::ApiResponse r = fs::predict(test_model(), body.dump());
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(error_of(r), "missing features the model needs: laplacian_max, noise_sigma");
  body["features"]["laplacian_max"] = 1;
  EXPECT_EQ(error_of(fs::predict(test_model(), body.dump())), "missing feature the model needs: noise_sigma");
  // null counts as missing
  body["features"]["noise_sigma"] = nullptr;
  EXPECT_EQ(fs::predict(test_model(), body.dump()).status, 422u);
}

TEST(Predict, ListErrorsNameTheItem) {
  const json body = json::array({item(0.01, 1.2, 0.004, 0.003), {{"features", {{"laplacian_variance", 1}}}}});
  const fs::ApiResponse r = fs::predict(test_model(), body.dump());
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(error_of(r).rfind("item 1: missing features", 0), 0u) << error_of(r);
}

TEST(Predict, WrongShapesAndTypesAre422) {
  const fm::Model m = test_model();
  EXPECT_EQ(fs::predict(m, "\"text\"").status, 422u);
  EXPECT_EQ(fs::predict(m, "{}").status, 422u);
  EXPECT_NE(error_of(fs::predict(m, "{}")).find("\"features\""), std::string::npos);
  EXPECT_EQ(fs::predict(m, "{\"features\": [1,2,3,4]}").status, 422u);
  json bad = item(0.01, 1.2, 0.004, 0.003);
  bad["features"]["scharr_variance"] = "0.003";
  EXPECT_EQ(error_of(fs::predict(m, bad.dump())), "feature must be finite numbers: scharr_variance");
  bad["features"]["scharr_variance"] = true;
  EXPECT_EQ(fs::predict(m, bad.dump()).status, 422u);
}

TEST(Predict, UnknownKeysAreIgnored) {
  json body = item(0.01, 1.2, 0.004, 0.003);
  body["camera"] = "door";
  body["features"]["focus_motor"] = "??";
  body["features"]["brightness"] = 0.5;
  EXPECT_EQ(fs::predict(test_model(), body.dump()).status, 200u);
}

TEST(Predict, BatchesAreBounded) {
  json body = json::array();
  for (std::size_t i = 0; i <= fs::kMaxPredictBatch; ++i) body.push_back(json::object());
  const fs::ApiResponse r = fs::predict(test_model(), body.dump());
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(error_of(r).find("too many items"), std::string::npos);
}

TEST(Analyze, GivesTheCoreFeaturesAndTheVerdict) {
  const fm::Model m = test_model();
  const std::string png = fixture_bytes("astronaut_641x479.png");
  ASSERT_FALSE(png.empty());
  const fs::ApiResponse r = fs::analyze(&m, png.data(), png.size());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["width"], 641);
  EXPECT_EQ(j["height"], 479);
  fm::media::LumaImage img;
  std::string err;
  ASSERT_TRUE(fm::media::decode_image_bytes(png.data(), png.size(), img, err));
  const fm::FeatureVector fv = fm::compute_features(img.view());
  EXPECT_DOUBLE_EQ(j["features"]["noise_sigma"].get<double>(), fv[fm::Feature::NoiseSigma]);
  EXPECT_DOUBLE_EQ(j["features"]["contrast"].get<double>(), fv[fm::Feature::Contrast]);
  // The score is the focus map's aggregate (focusmeter/focus_map.h).
  const fm::FrameJudgement fj = fm::judge_frame(m, img.view());
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), fj.judgement.score.value_or(-1));
  ASSERT_TRUE(j["map"].is_object()) << r.body;
  EXPECT_EQ(j["map"]["cols"], fj.map.grid.cols);
  EXPECT_EQ(j["map"]["rows"], fj.map.grid.rows);
  ASSERT_EQ(j["map"]["scores"].size(), fj.map.scores.size());
  EXPECT_DOUBLE_EQ(j["map"]["scores"][0].get<double>(), fj.map.scores[0]);
  EXPECT_EQ(j["map"]["textured"].size(), fj.map.scores.size());
  EXPECT_EQ(r.tally.analysed, 1u);
}

// A lens cap or flat wall: nothing to judge. The service says so, UNKNOWN
// with no score and the reason, exactly as the element does
// (focusmeter/judgement.h).
TEST(Analyze, LowTextureIsUnknownLikeTheElement) {
  const fm::Model m = test_model();
  const cv::Mat flat(150, 200, CV_8UC1, cv::Scalar(12));
  std::vector<unsigned char> png;
  ASSERT_TRUE(cv::imencode(".png", flat, png));
  const fs::ApiResponse r = fs::analyze(&m, png.data(), png.size());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["low_texture"], true);
  EXPECT_EQ(j["verdict"], "UNKNOWN");
  EXPECT_TRUE(j["score"].is_null());
  EXPECT_EQ(j["reason_kind"], "too_dark");
  EXPECT_EQ(j["reason"], "covered or too dark (mean luma 12/255)");
  EXPECT_EQ(r.tally.clear + r.tally.blurry, 0u);
  EXPECT_EQ(r.tally.too_dark, 1u);  // counted in /metrics as UNKNOWN
  EXPECT_EQ(r.tally.no_detail, 0u);
  const std::string sharp = fixture_bytes("astronaut_641x479.png");
  EXPECT_EQ(json::parse(fs::analyze(&m, sharp.data(), sharp.size()).body)["low_texture"], false);
}

TEST(Analyze, WithoutAModelGivesFeaturesAndNoVerdict) {
  const std::string png = fixture_bytes("checker_40x30.png");
  const fs::ApiResponse r = fs::analyze(nullptr, png.data(), png.size());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  EXPECT_TRUE(j["verdict"].is_null());
  EXPECT_TRUE(j["score"].is_null());
  // The six base features, and `texture` for the low-texture flag.
  for (std::size_t i = 0; i < fm::kBaseFeatureCount; ++i)
    EXPECT_TRUE(j["features"].contains(std::string(fm::feature_name(static_cast<fm::Feature>(i)))));
  EXPECT_TRUE(j["features"].contains("texture"));
  EXPECT_TRUE(j["low_texture"].is_boolean());
  EXPECT_EQ(r.tally.clear + r.tally.blurry, 0u);
  EXPECT_EQ(r.tally.no_model, 1u);
}

TEST(Analyze, UndecodableIs422) {
  const std::string junk = "GIF89a but not really";
  const fs::ApiResponse r = fs::analyze(nullptr, junk.data(), junk.size());
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(error_of(r).rfind("image does not decode: ", 0), 0u);
  EXPECT_EQ(r.tally.undecodable, 1u);
  EXPECT_EQ(fs::analyze(nullptr, "", 0).status, 422u);
}

// A half-uploaded camera snapshot is refused, not analysed with a grey
// bottom half (the shared decoder checks the JPEG's end-of-image marker).
TEST(Analyze, TruncatedJpegIs422) {
  const cv::Mat photo = cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/camera_512x512.png");
  std::vector<unsigned char> jpeg;
  ASSERT_TRUE(cv::imencode(".jpg", photo, jpeg));
  EXPECT_EQ(fs::analyze(nullptr, jpeg.data(), jpeg.size()).status, 200u);
  const fs::ApiResponse r = fs::analyze(nullptr, jpeg.data(), jpeg.size() * 2 / 3);
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(error_of(r).find("truncated"), std::string::npos) << error_of(r);
}

TEST(ModelInfo, ListsFeaturesThresholdAndTraining) {
  const json j = fs::model_info(test_model());
  EXPECT_EQ(j["name"], "serve-test");
  EXPECT_EQ(j["features"].size(), 4u);
  EXPECT_EQ(j["features"][3], "scharr_variance");
  EXPECT_EQ(j["threshold"], 0.5);
  EXPECT_EQ(j["training"]["note"], "not trained; fixed coefficients for tests");
}

TEST(Predict, DeeplyNestedInputIsAnErrorNotACrash) {
  const std::size_t depth = 300000;
  const std::string nested = std::string(depth, '[') + std::string(depth, ']');
  EXPECT_EQ(fs::predict(test_model(), nested).status, 422u);
  EXPECT_EQ(fs::predict(test_model(), std::string(depth, '[')).status, 400u);
}

// Finite features far outside the unit box can make a loaded model's logit
// NaN (inf - inf): no verdict, 422 with the reason, never CLEAR.
TEST(Predict, NonFiniteScoreIsNoVerdict) {
  json doc;
  {
    std::ifstream in(std::string(FOCUSMETER_TEST_DATA) + "/models/serve-model.json");
    doc = json::parse(in);
  }
  for (auto& f : doc["features"]) {
    f["transform"] = "none";
    f.erase("offset");
    f["mean"] = 0.0;
    f["std"] = 1e-10;
  }
  doc["classifier"] = {{"type", "logistic_regression"}, {"coefficients", {1.0, -1.0, 0.0, 0.0}}, {"intercept", 0.0}};
  const fm::Model m = fm::Model::from_json_text(doc.dump(), "extreme.json");
  EXPECT_EQ(fs::predict(m, item(0.01, 1.2, 0.004, 0.003).dump()).status, 200u);
  const fs::ApiResponse r = fs::predict(m, item(1e308, 1e308, 0.004, 0.003).dump());
  EXPECT_EQ(r.status, 422u) << r.body;
  EXPECT_NE(error_of(r).find("no verdict"), std::string::npos) << r.body;
  EXPECT_EQ(r.tally.no_score, 1u);  // /metrics counts it under no_verdicts_total{reason="no_score"}
}
