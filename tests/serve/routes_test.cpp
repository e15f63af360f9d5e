// serve's route table (tools/serve/routes.h) is the one list of endpoints:
// lookups are exact, the help and 404 lists come from it, and
// docs/serve.md documents every route it holds.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "serve/metrics.h"
#include "serve/routes.h"

namespace fs = focusmeter::serve;

TEST(Routes, ExactPathLookup) {
  ASSERT_NE(fs::find_route("/v1/predict"), nullptr);
  EXPECT_EQ(fs::find_route("/v1/predict")->endpoint, fs::Endpoint::Predict);
  EXPECT_STREQ(fs::find_route("/v1/analyze")->method, "POST");
  EXPECT_TRUE(fs::find_route("/healthz")->open);
  EXPECT_FALSE(fs::find_route("/metrics")->open);
  EXPECT_EQ(fs::find_route("/v1/predict/"), nullptr);
  EXPECT_EQ(fs::find_route("/V1/PREDICT"), nullptr);
  EXPECT_EQ(fs::find_route(""), nullptr);
}

TEST(Routes, ListsAndMetricLabelsComeFromTheTable) {
  EXPECT_EQ(fs::route_paths(), "/v1/predict, /v1/analyze, /v1/model, /healthz, /metrics");
  EXPECT_EQ(fs::route_list(), "POST /v1/predict, POST /v1/analyze, GET /v1/model, GET /healthz, GET /metrics");
  for (const fs::Route& r : fs::kRoutes) EXPECT_EQ(fs::Metrics::path_label(r.path), r.path);
  EXPECT_EQ(fs::Metrics::path_label("/v2/predict"), "other");
}

TEST(Routes, EveryRouteIsDocumented) {
  std::ifstream in(std::string(FOCUSMETER_TEST_DATA) + "/../docs/serve.md");
  ASSERT_TRUE(in) << "docs/serve.md not found";
  std::stringstream doc;
  doc << in.rdbuf();
  for (const fs::Route& r : fs::kRoutes) {
    const std::string row = "| `" + std::string(r.method) + " " + r.path + "` |";
    EXPECT_NE(doc.str().find(row), std::string::npos) << "docs/serve.md has no endpoint row " << row;
  }
}
