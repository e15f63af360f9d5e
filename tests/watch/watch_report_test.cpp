// `watch report` from a state file written by hand: checks in and out of
// the period, incidents, a camera that stopped answering, one never
// checked; every format, and what a name could inject.
#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "temp_dir.h"
#include "watch/state_store.h"
#include "watch/watch_report.h"

namespace fw = focusmeter::watch;

namespace {

std::int64_t add_check(fw::StateStore& s, std::int64_t cam, double t, const char* status, const char* label,
                       std::optional<double> score, const char* features = "{}") {
  fw::CheckRecord c;
  c.camera_id = cam;
  c.time = t;
  c.status = status;
  if (label) c.verdict = label;
  c.score = score;
  c.features_json = features;
  return s.add_check(c);
}

}  // namespace

TEST(WatchReport, PeriodIncidentsAndUnreachableCameras) {
  fw::testing::TempDir dir;
  fw::StateStore s(dir.file("w.db"));
  const auto gate = s.upsert_camera({0, "rtsp://127.0.0.2/gate", "gate", "rtsp://127.0.0.2/gate", "{}"});
  const auto dock = s.upsert_camera({0, "rtsp://127.0.0.3/dock", "=dock,\"x\"<b>", "rtsp://127.0.0.3/dock", "{}"});
  s.upsert_camera({0, "rtsp://127.0.0.4/new", "new", "rtsp://127.0.0.4/new", "{}"});
  add_check(s, gate, 100, "ok", "CLEAR", 0.1);  // before the period
  add_check(s, gate, 1000, "ok", "CLEAR", 0.1, R"({"relative_drop": 0.02})");
  const auto bad = add_check(s, gate, 2000, "ok", "BLURRY (drift)", 0.4, R"({"relative_drop": 0.7})");
  s.open_incident(gate, "blurry", 2000, bad);
  add_check(s, dock, 1500, "ok", "CLEAR", 0.0);
  add_check(s, dock, 2500, "unreachable", nullptr, std::nullopt);
  add_check(s, dock, 3000, "timeout", nullptr, std::nullopt);

  const fw::WatchReport r = fw::build_watch_report(s, 500, 5000);
  ASSERT_EQ(r.cameras.size(), 3u);
  EXPECT_EQ(r.cameras[0].checks.size(), 2u);
  EXPECT_EQ(r.cameras[0].checks[1].relative_drop, 0.7);
  ASSERT_EQ(r.cameras[0].incidents.size(), 1u);
  EXPECT_FALSE(r.cameras[0].incidents[0].closed_at);
  EXPECT_FALSE(r.cameras[0].unreachable_since);
  EXPECT_EQ(r.cameras[1].unreachable_since, 2500.0);
  EXPECT_FALSE(r.cameras[2].last_check);  // listed, never checked

  const auto j = nlohmann::json::parse(fw::watch_report_json(r));
  EXPECT_EQ(j["cameras"][1]["unreachable_since"], "1970-01-01T00:41:40Z");
  EXPECT_TRUE(j["cameras"][2]["last_check"].is_null());
  EXPECT_EQ(j["cameras"][0]["incidents"][0]["kind"], "blurry");

  const std::string csv = fw::watch_report_csv(r);
  EXPECT_NE(csv.find("gate,rtsp://127.0.0.2/gate,1970-01-01T00:33:20Z,ok,BLURRY (drift),0.4000,0.7000\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\"'=dock,\"\"x\"\"<b>\""), std::string::npos) << csv;  // quoted, formula defused

  const std::string html = fw::watch_report_html(r);
  EXPECT_EQ(html.find("<b>\""), std::string::npos);  // the name is escaped
  EXPECT_NE(html.find("=dock,&quot;x&quot;&lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("unreachable since 1970-01-01T00:41:40Z"), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("never checked"), std::string::npos);
}
