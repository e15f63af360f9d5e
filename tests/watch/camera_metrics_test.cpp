#include "watch/camera_metrics.h"

#include <gio/gio.h>
#include <gtest/gtest.h>

#include <cmath>

namespace fw = focusmeter::watch;

namespace {

std::vector<fw::CameraGauges> fleet() {
  fw::CameraGauges gate;
  gate.camera = "rtsp://127.0.0.2:8554/gate";
  gate.up = true;
  gate.score = 0.875;
  gate.relative_drop = 0.5;
  gate.last_check_time = 1796290800.25;
  gate.open_incidents = {fw::IncidentKind::Blurry};
  fw::CameraGauges lost;
  lost.camera = "yard \"north\"\\2\nb";
  lost.up = false;
  lost.last_check_time = 1796290801;
  return {gate, lost};
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST(CameraMetrics, WritesEveryFamilyWithHelpAndType) {
  const std::string t = fw::render_camera_metrics(fleet(), "0.1.0");
  for (const char* name :
       {"focusmeter_camera_up", "focusmeter_camera_score", "focusmeter_camera_relative_drop",
        "focusmeter_camera_last_check_timestamp_seconds", "focusmeter_camera_incident_open", "focusmeter_build_info"}) {
    EXPECT_TRUE(t.find(std::string("# HELP ") + name + " ") != std::string::npos) << name;
    EXPECT_TRUE(has_line(t, std::string("# TYPE ") + name + " gauge")) << name;
  }
  const std::string gate = "{camera=\"rtsp://127.0.0.2:8554/gate\"}";
  EXPECT_TRUE(has_line(t, "focusmeter_camera_up" + gate + " 1")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_camera_score" + gate + " 0.875")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_camera_relative_drop" + gate + " 0.5")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_camera_last_check_timestamp_seconds" + gate + " 1796290800.25")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_camera_incident_open{camera=\"rtsp://127.0.0.2:8554/gate\",kind=\"blurry\"} 1"));
  EXPECT_TRUE(
      has_line(t, "focusmeter_camera_incident_open{camera=\"rtsp://127.0.0.2:8554/gate\",kind=\"unavailable\"} 0"));
  EXPECT_TRUE(has_line(t, "focusmeter_build_info{version=\"0.1.0\"} 1")) << t;
}

TEST(CameraMetrics, EscapesLabelValuesAndLeavesOutMissingValues) {
  const std::string t = fw::render_camera_metrics(fleet(), "0.1.0");
  const std::string lost = "{camera=\"yard \\\"north\\\"\\\\2\\nb\"}";
  EXPECT_TRUE(has_line(t, "focusmeter_camera_up" + lost + " 0")) << t;
  EXPECT_TRUE(has_line(t, "focusmeter_camera_last_check_timestamp_seconds" + lost + " 1796290801")) << t;
  EXPECT_EQ(t.find("focusmeter_camera_score" + lost), std::string::npos) << t;
  EXPECT_EQ(t.find("focusmeter_camera_relative_drop" + lost), std::string::npos) << t;
  EXPECT_EQ(t.find("NaN"), std::string::npos);
  // Every sample line is one line: the raw line feed never reaches the text.
  EXPECT_EQ(t.find("\nb\""), std::string::npos) << t;
}

TEST(CameraMetrics, OneSeriesPerCameraSortedByLabel) {
  auto cams = fleet();
  cams.push_back(cams[0]);
  cams.back().score = 0.25;  // the later entry wins
  const std::string t = fw::render_camera_metrics(cams, "0.1.0");
  EXPECT_TRUE(has_line(t, "focusmeter_camera_score{camera=\"rtsp://127.0.0.2:8554/gate\"} 0.25")) << t;
  EXPECT_EQ(t.find("0.875"), std::string::npos);
  EXPECT_LT(t.find("camera=\"rtsp://"), t.find("camera=\"yard"));
}

TEST(CameraMetrics, NumbersReadBackExactly) {
  EXPECT_EQ(fw::metric_number(0.1), "0.1");
  EXPECT_EQ(fw::metric_number(1796290800.123456), "1796290800.123456");
  EXPECT_EQ(fw::metric_number(3), "3");
  EXPECT_EQ(fw::metric_number(std::nan("")), "NaN");
  EXPECT_EQ(fw::metric_number(-HUGE_VAL), "-Inf");
  EXPECT_EQ(fw::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(CameraMetrics, EmptyFleetIsStillValid) {
  const std::string t = fw::render_camera_metrics({}, "0.1.0");
  EXPECT_TRUE(has_line(t, "focusmeter_build_info{version=\"0.1.0\"} 1")) << t;
  EXPECT_EQ(t.find("camera=\""), std::string::npos);
}

// promtool (Debian package prometheus) checks the text with its lint rules
// when it is installed, or named by $PROMTOOL; the package is not a build
// dependency (it ships the whole Prometheus server), so elsewhere this test
// says it was skipped.
TEST(CameraMetrics, PassesPromtoolCheckMetrics) {
  const char* env = g_getenv("PROMTOOL");
  g_autofree char* found = g_find_program_in_path("promtool");
  const std::string promtool = env && *env ? env : (found ? found : "");
  if (promtool.empty()) GTEST_SKIP() << "promtool not installed (Debian package prometheus); set PROMTOOL to use one";
  g_autoptr(GError) err = nullptr;
  g_autoptr(GSubprocess) p =
      g_subprocess_new(static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                     G_SUBPROCESS_FLAGS_STDERR_MERGE),
                       &err, promtool.c_str(), "check", "metrics", nullptr);
  ASSERT_TRUE(p) << err->message;
  g_autofree char* out = nullptr;
  const std::string text = fw::render_camera_metrics(fleet(), "0.1.0");
  ASSERT_TRUE(g_subprocess_communicate_utf8(p, text.c_str(), nullptr, &out, nullptr, &err)) << err->message;
  EXPECT_TRUE(g_subprocess_get_if_exited(p) && g_subprocess_get_exit_status(p) == 0) << (out ? out : "") << text;
  EXPECT_STREQ(out ? out : "", "") << text;
}
