#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <variant>

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

// --- the typed spec ----------------------------------------------------------

TEST(ModelSpec, RoundTripsThroughJson) {
  const fm::ModelSpec spec = fm::ModelSpec::from_json(logistic_model(), "m.json");
  EXPECT_EQ(spec.feature_version, fm::kFeatureVersion);
  EXPECT_EQ(spec.low_texture, (fm::LowTextureThresholds{0.015, 0.003}));
  ASSERT_EQ(spec.features.size(), 2u);
  EXPECT_EQ(spec.features[1].transform, fm::FeatureSpec::Transform::None);
  EXPECT_EQ(fm::ModelSpec::from_json(spec.to_json(), "again"), spec);

  json trees = logistic_model();
  trees["classifier"] = json::parse(R"({"type": "tree_ensemble", "base_score": 0.5, "trees": [
      {"feature": [0, -1, -1], "threshold": [0.0, 0, 0], "left": [1, -1, -1], "right": [2, -1, -1],
       "value": [0, 2.0, -2.0]}]})");
  const fm::ModelSpec tree_spec = fm::ModelSpec::from_json(trees, "t.json");
  ASSERT_TRUE(std::holds_alternative<fm::TreeEnsemble>(tree_spec.classifier));
  EXPECT_EQ(fm::ModelSpec::from_json(tree_spec.to_json(), "again"), tree_spec);
  EXPECT_NE(tree_spec, spec);

  // A spec built in code (as the trainer does) validates like a file.
  fm::ModelSpec built;
  built.features.push_back({fm::Feature::Contrast, fm::FeatureSpec::Transform::None, 0, 0.1, 0.05});
  built.classifier = fm::LogisticRegression{{1.0}, 0.0};
  built.low_texture = {0.01, 0.002};
  const fm::Model m = fm::Model::from_spec(built, "built");
  EXPECT_EQ(m.spec(), built);
  EXPECT_EQ(m.low_texture_thresholds(), (fm::LowTextureThresholds{0.01, 0.002}));
  built.features[0].std = 0;
  EXPECT_THROW(fm::Model::from_spec(built, "built"), fm::ModelError);
}

TEST(ModelSpec, OtherFeatureDefinitionsAreRefused) {
  json doc = logistic_model();
  doc["feature_version"] = fm::kFeatureVersion - 1;
  const std::string err = error_of(doc);
  EXPECT_NE(err.find("m.json: feature_version: the model was made for feature definitions version " +
                     std::to_string(fm::kFeatureVersion - 1)),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("retrain"), std::string::npos) << err;
}

// --- hostile files (issue 15) ----------------------------------------------

std::string one_line_error(const std::string& text) {
  try {
    fm::Model::from_json_text(text, "hostile.json");
  } catch (const fm::ModelError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("hostile.json: ", 0), 0u) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    return what;
  }
  ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  return "";
}

TEST(ModelHostile, NumbersOutOfDoubleRangeAreAnErrorNotAnAbort) {
  std::string text = logistic_model().dump();
  const std::string intercept = "\"intercept\":0.25";
  ASSERT_NE(text.find(intercept), std::string::npos);
  text.replace(text.find(intercept), intercept.size(), "\"intercept\":1e400");
  EXPECT_NE(one_line_error(text).find("not valid JSON"), std::string::npos);
  one_line_error("{\"format\": -1e999}");
}

TEST(ModelHostile, DeepNestingIsRefusedBeforeParsing) {
  json doc = logistic_model();
  std::string text = doc.dump();
  text.pop_back();  // the closing brace
  text += ",\"training2\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_NE(one_line_error(text).find("nested deeper than 64 levels"), std::string::npos);
  // Brackets inside strings do not count.
  doc["description"] = std::string(1000, '[');
  EXPECT_NO_THROW(fm::Model::from_json_text(doc.dump(), "m.json"));
}

TEST(ModelHostile, OversizeFilesAreRefusedUnread) {
  json doc = logistic_model();
  doc["description"] = std::string(fm::Model::kMaxFileBytes, 'x');
  EXPECT_NE(one_line_error(doc.dump()).find("larger than 16 MiB"), std::string::npos);
  // From a file too, reading at most one byte past the limit.
  const std::string path = ::testing::TempDir() + "/oversize_model.json";
  std::ofstream(path) << doc.dump();
  try {
    fm::Model::load(path);
    ADD_FAILURE() << "accepted";
  } catch (const fm::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("larger than 16 MiB"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(ModelHostile, ExtremeFiniteValuesThatCanGiveANonFiniteScoreAreRefused) {
  const std::vector<std::function<void(json&)>> cases = {
      [](json& d) {
        d["classifier"]["coefficients"] = {1e308, -1e308};
      },
      [](json& d) { d["features"][1]["std"] = 1e-310; },  // x up to 1e308 on [0, 1]
      [](json& d) { d["features"][1]["mean"] = -1.7e308; },
      [](json& d) { d["classifier"]["intercept"] = 1.7e308; },
      [](json& d) {
        d["classifier"] = json::parse(R"({"type": "tree_ensemble", "base_score": 1e308, "trees": [
            {"feature": [-1], "threshold": [0], "left": [-1], "right": [-1], "value": [1e308]}]})");
      },
  };
  for (const auto& mutate : cases) {
    json doc = logistic_model();
    mutate(doc);
    const std::string err = error_of(doc);
    EXPECT_NE(err.find("would not be finite"), std::string::npos) << doc.dump() << "\n" << err;
  }
}

TEST(ModelHostile, ANonFiniteScoreAtRunTimeGivesNoVerdict) {
  // Finite on the unit box, but features far outside it overflow the
  // standardisation to +inf and -inf, whose sum is NaN.
  json doc = logistic_model();
  doc["features"][0] = {{"name", "laplacian_variance"}, {"transform", "none"}, {"mean", 0.0}, {"std", 1e-299}};
  doc["features"][1]["std"] = 1e-299;
  doc["classifier"]["coefficients"] = {1e-3, -1e-3};
  const fm::Model m = fm::Model::from_json_text(doc.dump(), "m.json");
  EXPECT_TRUE(m.predict(features(0.5, 0.5)).verdict);  // inside the box: a verdict
  const fm::Prediction p = m.predict(features(1e10, 1e10));
  EXPECT_FALSE(p.verdict);
  EXPECT_NE(p.no_verdict.find("not finite"), std::string::npos) << p.no_verdict;
  // A feature that is itself NaN gives no verdict either, never CLEAR.
  const fm::Model plain = fm::Model::from_json_text(logistic_model().dump(), "m.json");
  EXPECT_FALSE(plain.predict(features(std::nan(""), 0.01)).verdict);
  EXPECT_FALSE(plain.predict(features(std::nan(""), 0.01), 0.99).verdict);
}
