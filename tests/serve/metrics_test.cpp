#include "serve/metrics.h"

#include <gtest/gtest.h>

namespace fs = focusmeter::serve;

namespace {
bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}
}  // namespace

TEST(Metrics, CountsByPathAndCodeWithUnknownPathsAsOther) {
  fs::Metrics m;
  m.record_request("/v1/predict", 200, 0.0002);
  m.record_request("/v1/predict", 200, 0.0002);
  m.record_request("/v1/predict", 422, 0.0002);
  m.record_request("/wp-admin", 404, 0.0002);
  m.record_request("/etc/passwd", 404, 0.0002);
  EXPECT_EQ(m.requests("/v1/predict", 200), 2u);
  EXPECT_EQ(m.requests("/anything", 404), 2u);
  const std::string t = m.render();
  EXPECT_TRUE(has_line(t, "focusmeter_http_requests_total{path=\"/v1/predict\",code=\"200\"} 2")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_requests_total{path=\"other\",code=\"404\"} 2")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_errors_total{code=\"404\"} 2")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_errors_total{code=\"422\"} 1")) << t;
  EXPECT_EQ(t.find("wp-admin"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  fs::Metrics m;
  m.record_request("/healthz", 200, 0.0004);  // <= 0.0005
  m.record_request("/healthz", 200, 0.003);   // <= 0.005
  m.record_request("/healthz", 200, 0.005);   // <= 0.005 (le is inclusive)
  m.record_request("/healthz", 200, 30.0);    // +Inf only
  const std::string t = m.render();
  EXPECT_TRUE(has_line(t, "focusmeter_http_request_duration_seconds_bucket{le=\"0.0005\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_request_duration_seconds_bucket{le=\"0.0025\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_request_duration_seconds_bucket{le=\"0.005\"} 3")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_request_duration_seconds_bucket{le=\"2.5\"} 3")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_request_duration_seconds_bucket{le=\"+Inf\"} 4")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_request_duration_seconds_count 4")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_http_request_duration_seconds_sum 30.0084")) << t;
}

TEST(Metrics, AddsTalliesAndQueueGauges) {
  fs::Metrics m;
  fs::Tally a;
  a.analysed = 1;
  a.blurry = 1;
  fs::Tally b;
  b.undecodable = 1;
  b.clear = 3;
  m.record_tally(a);
  m.record_tally(b);
  m.set_queue(2, 1);
  const std::string t = m.render();
  EXPECT_TRUE(has_line(t, "focusmeter_analyses_total{result=\"analysed\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_analyses_total{result=\"undecodable\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_predictions_total{verdict=\"CLEAR\"} 3")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_predictions_total{verdict=\"BLURRY\"} 1")) << t;
  // Nothing without a verdict yet: the series are there, at zero.
  EXPECT_TRUE(has_line(t, "focusmeter_predictions_total{verdict=\"UNKNOWN\"} 0")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_no_verdicts_total{reason=\"no_model\"} 0")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_worker_jobs{state=\"queued\"} 2")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_worker_jobs{state=\"running\"} 1")) << t;
}

TEST(Metrics, CountsAnswersWithoutAVerdictByReason) {
  fs::Metrics m;
  fs::Tally dark;
  dark.analysed = 1;
  dark.too_dark = 1;
  fs::Tally flat;
  flat.analysed = 1;
  flat.no_detail = 1;
  fs::Tally features_only;
  features_only.analysed = 1;
  features_only.no_model = 1;
  fs::Tally refused;
  refused.no_score = 1;
  for (const fs::Tally* t : {&dark, &dark, &flat, &features_only, &refused}) m.record_tally(*t);
  const std::string t = m.render();
  EXPECT_TRUE(has_line(t, "focusmeter_predictions_total{verdict=\"CLEAR\"} 0")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_predictions_total{verdict=\"UNKNOWN\"} 3")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_no_verdicts_total{reason=\"too_dark\"} 2")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_no_verdicts_total{reason=\"no_detail\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_no_verdicts_total{reason=\"no_score\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_no_verdicts_total{reason=\"no_model\"} 1")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_analyses_total{result=\"analysed\"} 4")) << t;
}
