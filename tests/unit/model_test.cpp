#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "focusmeter/model.h"

namespace fm = focusmeter;
using nlohmann::json;

namespace {

json logistic_model() {
  return json::parse(R"({
    "format": "focusmeter-model", "version": 2, "feature_version": 3, "name": "test",
    "features": [
      {"name": "laplacian_variance", "transform": "log", "offset": 1e-6, "mean": -6.0, "std": 2.0},
      {"name": "noise_sigma", "mean": 0.01, "std": 0.02}
    ],
    "classifier": {"type": "logistic_regression", "coefficients": [-1.5, 0.5], "intercept": 0.25},
    "threshold": 0.6,
    "low_texture": {"contrast": 0.015, "texture": 0.003},
    "training": {"samples": 10}
  })");
}

fm::FeatureVector features(double lapvar, double sigma) {
  fm::FeatureVector fv;
  fv.set(fm::Feature::LaplacianVariance, lapvar);
  fv.set(fm::Feature::NoiseSigma, sigma);
  return fv;
}

std::string error_of(const json& doc) {
  try {
    fm::Model::from_json_text(doc.dump(), "m.json");
  } catch (const fm::ModelError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Model, LogisticScoreFollowsTheFormula) {
  const fm::Model m = fm::Model::from_json_text(logistic_model().dump(), "m.json");
  EXPECT_EQ(m.name(), "test");
  EXPECT_DOUBLE_EQ(m.threshold(), 0.6);
  ASSERT_EQ(m.features().size(), 2u);
  const double x0 = (std::log(0.002 + 1e-6) + 6.0) / 2.0;
  const double x1 = (0.03 - 0.01) / 0.02;
  const double want = 1.0 / (1.0 + std::exp(-(0.25 - 1.5 * x0 + 0.5 * x1)));
  EXPECT_NEAR(m.score(features(0.002, 0.03)), want, 1e-12);
  const fm::Prediction p = m.predict(features(0.002, 0.03));
  EXPECT_EQ(p.verdict, want >= 0.6 ? fm::Verdict::Blurry : fm::Verdict::Clear);
  EXPECT_EQ(m.predict(features(0.002, 0.03), 0.0).verdict, fm::Verdict::Blurry);
  EXPECT_EQ(m.predict(features(0.002, 0.03), 1.0).verdict, fm::Verdict::Clear);
  EXPECT_EQ(json::parse(m.training_json())["samples"], 10);
}

TEST(Model, SharperMeansLowerScore) {
  const fm::Model m = fm::Model::from_json_text(logistic_model().dump(), "m.json");
  EXPECT_LT(m.score(features(0.05, 0.01)), m.score(features(0.0001, 0.01)));
}

TEST(Model, MissingFeatureIsAnErrorNotAZero) {
  const fm::Model m = fm::Model::from_json_text(logistic_model().dump(), "m.json");
  fm::FeatureVector fv;
  fv.set(fm::Feature::LaplacianVariance, 0.01);
  try {
    m.score(fv);
    FAIL() << "expected ModelError";
  } catch (const fm::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("noise_sigma"), std::string::npos) << e.what();
  }
}

TEST(Model, TreeEnsemble) {
  json doc = logistic_model();
  // One stump on laplacian_variance (standardised): left leaf +2, right -2.
  doc["classifier"] = json::parse(R"({"type": "tree_ensemble", "base_score": 0.5, "trees": [
      {"feature": [0, -1, -1], "threshold": [0.0, 0, 0], "left": [1, -1, -1], "right": [2, -1, -1],
       "value": [0, 2.0, -2.0]}]})");
  const fm::Model m = fm::Model::from_json_text(doc.dump(), "m.json");
  EXPECT_NEAR(m.score(features(1e-5, 0.0)), 1.0 / (1.0 + std::exp(-2.5)), 1e-12);  // low lapvar: left
  EXPECT_NEAR(m.score(features(0.5, 0.0)), 1.0 / (1.0 + std::exp(1.5)), 1e-12);
}

TEST(Model, LoadsFromFileAndNamesMissingFiles) {
  const std::string path = ::testing::TempDir() + "/model_test.json";
  { std::ofstream(path) << logistic_model().dump(2); }
  EXPECT_EQ(fm::Model::load(path).origin(), path);
  std::remove(path.c_str());
  try {
    fm::Model::load(path);
    FAIL();
  } catch (const fm::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
  }
}

TEST(Model, BadFilesGiveOneClearError) {
  struct Case {
    std::function<void(json&)> mutate;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& d) { d.erase("classifier"); }, "missing key \"classifier\""},
      {[](json& d) { d["format"] = "onnx"; }, "format"},
      {[](json& d) { d["version"] = 1; }, "unsupported version 1"},
      {[](json& d) { d.erase("feature_version"); }, "missing key \"feature_version\""},
      {[](json& d) { d.erase("low_texture"); }, "missing key \"low_texture\""},
      {[](json& d) { d["low_texture"]["texture"] = -1; }, "low_texture.texture: must be >= 0"},
      {[](json& d) { d["training"] = 3; }, "training: expected an object"},
      {[](json& d) { d["features"][0]["name"] = "sharpness"; }, "unknown feature \"sharpness\""},
      {[](json& d) { d["features"][1]["name"] = "laplacian_variance"; }, "listed twice"},
      {[](json& d) { d["features"][0]["mean"] = "high"; }, "features[0].mean: expected a number"},
      {[](json& d) { d["features"][0]["std"] = 0; }, "features[0].std: must be > 0"},
      {[](json& d) { d["features"][0]["transform"] = "sqrt"; }, "unknown transform"},
      {[](json& d) { d["features"][0].erase("offset"); }, "features[0]: missing key \"offset\""},
      {[](json& d) { d["features"] = json::array(); }, "at least one feature"},
      {[](json& d) { d["classifier"]["coefficients"].push_back(1); }, "3 entries for 2 features"},
      {[](json& d) { d["classifier"]["type"] = "knn"; }, "unknown classifier \"knn\""},
      {[](json& d) { d["threshold"] = 1.5; }, "threshold: must be in [0, 1]"},
      {[](json& d) { d["classifier"]["coefficients"][1] = nullptr; }, "coefficients[1]: expected a number"},
  };
  for (const Case& c : cases) {
    json doc = logistic_model();
    c.mutate(doc);
    const std::string err = error_of(doc);
    EXPECT_NE(err.find("m.json: "), std::string::npos) << err;
    EXPECT_NE(err.find(c.expected), std::string::npos) << "got: " << err << "\nwant: " << c.expected;
  }
}

TEST(Model, NaNAndGarbageAreRejected) {
  for (const char* text : {"{\"format\": NaN}", "not json", "[1,2]", ""}) {
    try {
      fm::Model::from_json_text(text, "bad.json");
      FAIL() << text;
    } catch (const fm::ModelError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("bad.json: ", 0), 0u) << e.what();
    }
  }
}

TEST(Model, TreesMustNotLoop) {
  json doc = logistic_model();
  doc["classifier"] = json::parse(R"({"type": "tree_ensemble", "trees": [
      {"feature": [0, 0], "threshold": [0, 0], "left": [1, 0], "right": [1, 0], "value": [0, 0]}]})");
  EXPECT_NE(error_of(doc).find("child index must point forward"), std::string::npos) << error_of(doc);
}
