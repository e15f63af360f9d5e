// JSON from outside never escapes as an exception: a number like 1e400,
// nesting a hundred thousand levels deep (422), or 20 MB of tiny items in
// /v1/predict become one-line errors (400/422), and the item limit is
// checked while parsing, before any DOM is built. The cameras file reader
// turns the same input into a one-line TargetError.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "scan/targets.h"
#include "serve/api.h"

namespace fm = focusmeter;
using nlohmann::json;

namespace {

const fm::Model& model() { return *fm::default_model(); }  // the compiled-in model

std::string error_of(const fm::serve::ApiResponse& r) { return json::parse(r.body)["error"].get<std::string>(); }

TEST(PredictLimits, NumberOverflowIsA400NotAnAbort) {
  const auto r = fm::serve::predict(model(), R"({"features": {"noise_sigma": 1e400}})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(error_of(r), "malformed JSON: number overflow parsing '1e400'");
}

TEST(PredictLimits, DeepNestingIsA422) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto r = fm::serve::predict(model(), deep);
  EXPECT_EQ(r.status, 422u);  // well-formed, but no request has that shape
  EXPECT_EQ(error_of(r), "JSON nested deeper than 32 levels");
  const std::string deep_object = "{\"features\":" + std::string(50, '[') + std::string(50, ']') + "}";
  EXPECT_EQ(fm::serve::predict(model(), deep_object).status, 422u);
  EXPECT_EQ(fm::serve::predict(model(), std::string(100000, '[')).status, 400u);  // not even well-formed
}

TEST(PredictLimits, TwentyMegabytesOfItemsStopAtTheLimitWhileParsing) {
  std::string body = "[";
  body.reserve(20u << 20);
  while (body.size() < (20u << 20) - 4) body += "{},";
  body += "{}]";
  const auto r = fm::serve::predict(model(), body);
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(error_of(r), "too many items: more than 10000 per request");
  // Exactly the limit is still taken apart item by item (422 for the first bad item, not for the count).
  std::string limit = "[";
  for (std::size_t i = 0; i < fm::serve::kMaxPredictBatch; ++i) limit += i ? ",{}" : "{}";
  limit += "]";
  const auto at_limit = fm::serve::predict(model(), limit);
  EXPECT_EQ(at_limit.status, 422u);
  EXPECT_EQ(error_of(at_limit).rfind("item 0: ", 0), 0u) << at_limit.body;
}

TEST(PredictLimits, NestedArraysInsideAnItemDoNotCountAsItems) {
  // One item whose features hold a 20 000-long array: one item, and a 422 about the feature.
  std::string body = R"([{"features": {"noise_sigma": [)";
  for (int i = 0; i < 20000; ++i) body += i ? ",1" : "1";
  body += "]}}]";
  const auto r = fm::serve::predict(model(), body);
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(error_of(r).find("too many items"), std::string::npos) << r.body;
}

TEST(CamerasJson, OverflowAndDepthAreOneLineErrors) {
  try {
    fm::scan::parse_cameras_json(R"([{"name": "a", "host": "127.0.0.1", "port": 1e400}])", "cams.json");
    FAIL() << "accepted 1e400";
  } catch (const fm::scan::TargetError& e) {
    EXPECT_EQ(std::string(e.what()), "cams.json: not valid JSON (number overflow parsing '1e400')");
  }
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    fm::scan::parse_cameras_json(deep, "deep.json");
    FAIL() << "accepted 100 000 nested arrays";
  } catch (const fm::scan::TargetError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    EXPECT_EQ(std::string(e.what()).rfind("deep.json: ", 0), 0u) << e.what();
  }
}

}  // namespace
