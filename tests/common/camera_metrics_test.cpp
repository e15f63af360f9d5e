// The cameras' Prometheus gauges (report/camera_metrics.h) and scan's
// --format prometheus writer: exact exposition text for constructed values,
// escaping, absent values, and promtool's lint.
#include "report/camera_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "promtool.h"
#include "report/report.h"

namespace rp = focusmeter::report;

namespace {

std::vector<rp::CameraGauges> fleet() {
  rp::CameraGauges gate;
  gate.camera = "rtsp://127.0.0.2:8554/gate";
  gate.name = "gate";
  gate.up = true;
  gate.score = 0.875;
  gate.blurry = true;
  gate.relative_drop = 0.5;
  gate.last_check_time = 1796290800.25;
  gate.incidents = {{"blurry", true}, {"unavailable", false}};
  rp::CameraGauges lost;
  lost.camera = "rtsp://127.0.0.3:8554";
  lost.name = "yard \"north\"\\2\nb";
  lost.up = false;
  lost.last_check_time = 1796290801;
  lost.incidents = {{"blurry", false}, {"unavailable", true}};
  return {lost, gate};
}

}  // namespace

TEST(CameraMetrics, ExactExposition) {
  const std::string gate = "camera=\"rtsp://127.0.0.2:8554/gate\",name=\"gate\"";
  const std::string lost = "camera=\"rtsp://127.0.0.3:8554\",name=\"yard \\\"north\\\"\\\\2\\nb\"";
  // clang-format off
  const std::string expected =
      "# HELP focusmeter_camera_up 1 when the camera's last check analysed a frame, 0 when it failed.\n"
      "# TYPE focusmeter_camera_up gauge\n"
      "focusmeter_camera_up{" + gate + "} 1\n"
      "focusmeter_camera_up{" + lost + "} 0\n"
      "# HELP focusmeter_camera_score The model's score of the camera's last analysed frame, its probability of "
      "BLURRY (at or above the threshold: BLURRY).\n"
      "# TYPE focusmeter_camera_score gauge\n"
      "focusmeter_camera_score{" + gate + "} 0.875\n"
      "# HELP focusmeter_camera_blurry 1 when the camera's last verdict was BLURRY (absolute or drift), 0 when it "
      "was CLEAR.\n"
      "# TYPE focusmeter_camera_blurry gauge\n"
      "focusmeter_camera_blurry{" + gate + "} 1\n"
      "# HELP focusmeter_camera_relative_drop Focus drop of the camera's last frame against its own reference (0 "
      "none .. 1 total).\n"
      "# TYPE focusmeter_camera_relative_drop gauge\n"
      "focusmeter_camera_relative_drop{" + gate + "} 0.5\n"
      "# HELP focusmeter_camera_last_check_timestamp_seconds Unix time of the camera's last check.\n"
      "# TYPE focusmeter_camera_last_check_timestamp_seconds gauge\n"
      "focusmeter_camera_last_check_timestamp_seconds{" + gate + "} 1796290800.25\n"
      "focusmeter_camera_last_check_timestamp_seconds{" + lost + "} 1796290801\n"
      "# HELP focusmeter_camera_incident_open 1 while an incident of this kind is open for the camera, else 0.\n"
      "# TYPE focusmeter_camera_incident_open gauge\n"
      "focusmeter_camera_incident_open{" + gate + ",kind=\"blurry\"} 1\n"
      "focusmeter_camera_incident_open{" + gate + ",kind=\"unavailable\"} 0\n"
      "focusmeter_camera_incident_open{" + lost + ",kind=\"blurry\"} 0\n"
      "focusmeter_camera_incident_open{" + lost + ",kind=\"unavailable\"} 1\n"
      "# HELP focusmeter_build_info The focusmeter build answering; always 1.\n"
      "# TYPE focusmeter_build_info gauge\n"
      "focusmeter_build_info{version=\"0.1.0\"} 1\n";
  // clang-format on
  EXPECT_EQ(rp::render_camera_metrics(fleet(), "0.1.0"), expected);
}

TEST(CameraMetrics, SameIdentityIsOneSeriesTheLastWins) {
  auto cams = fleet();
  cams.push_back(cams[1]);
  cams.back().score = 0.25;
  cams.back().name = "gate renamed";
  const std::string t = rp::render_camera_metrics(cams, "0.1.0");
  EXPECT_NE(t.find("focusmeter_camera_score{camera=\"rtsp://127.0.0.2:8554/gate\",name=\"gate renamed\"} 0.25\n"),
            std::string::npos)
      << t;
  EXPECT_EQ(t.find("0.875"), std::string::npos);
  EXPECT_EQ(t.find("name=\"gate\""), std::string::npos);
}

TEST(CameraMetrics, NumbersReadBackExactly) {
  EXPECT_EQ(rp::metric_number(0.1), "0.1");
  EXPECT_EQ(rp::metric_number(1796290800.123456), "1796290800.123456");
  EXPECT_EQ(rp::metric_number(3), "3");
  EXPECT_EQ(rp::metric_number(std::nan("")), "NaN");
  EXPECT_EQ(rp::metric_number(-HUGE_VAL), "-Inf");
  EXPECT_EQ(rp::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(CameraMetrics, EmptyFleetIsBuildInfoAlone) {
  EXPECT_EQ(rp::render_camera_metrics({}, "0.1.0"),
            "# HELP focusmeter_build_info The focusmeter build answering; always 1.\n"
            "# TYPE focusmeter_build_info gauge\n"
            "focusmeter_build_info{version=\"0.1.0\"} 1\n");
}

TEST(CameraMetrics, PassesPromtoolCheckMetrics) {
  for (const auto& cams : {fleet(), std::vector<rp::CameraGauges>{}}) {
    const std::string text = rp::render_camera_metrics(cams, "0.1.0");
    const auto r = focusmeter_test::promtool_check_metrics(text);
    EXPECT_TRUE(r.clean()) << r.output << "\n" << text;
  }
}

namespace {

// Three scan results as scan_target and scan_command leave them.
rp::Report scan_report() {
  rp::Report report;
  report.kind = rp::ReportKind::Scan;
  rp::Result sharp;
  sharp.target = "lobby";
  sharp.host = "10.0.0.7";
  sharp.url = "rtsp://admin:***@10.0.0.7/Streaming/Channels/101";
  sharp.camera = "rtsp://10.0.0.7";
  sharp.name = "lobby";
  sharp.status = rp::Status::Ok;
  sharp.verdict = focusmeter::Verdict::Clear;
  sharp.score = 0.125;
  sharp.checked_at = 1796290800.5;
  rp::Result soft = sharp;
  soft.target = soft.name = "dock-ch2";
  soft.host = "10.0.0.8";
  soft.camera = "rtsp://10.0.0.8:8554#channel=2";
  soft.verdict = focusmeter::Verdict::Blurry;
  soft.score = 0.75;
  rp::Result gone;
  gone.target = gone.host = gone.name = "10.0.0.9";
  gone.camera = "rtsp://10.0.0.9";
  gone.status = rp::Status::AuthFailed;
  gone.checked_at = 1796290801;
  rp::Result dark = sharp;
  dark.camera = "rtsp://cam.example/live";
  dark.name = "rtsp://cam.example/live";
  dark.verdict.reset();
  dark.score.reset();
  dark.no_verdict = focusmeter::NoVerdict{focusmeter::NoVerdictKind::TooDark, "too dark"};
  report.results = {sharp, soft, gone, dark};
  return report;
}

}  // namespace

TEST(ScanPrometheus, ExactTextForConstructedResults) {
  std::ostringstream out;
  rp::write_prometheus(out, scan_report());
  const std::string lobby = "camera=\"rtsp://10.0.0.7\",name=\"lobby\"";
  const std::string dock = "camera=\"rtsp://10.0.0.8:8554#channel=2\",name=\"dock-ch2\"";
  const std::string gone = "camera=\"rtsp://10.0.0.9\",name=\"10.0.0.9\"";
  const std::string dark = "camera=\"rtsp://cam.example/live\",name=\"rtsp://cam.example/live\"";
  // clang-format off
  const std::string expected =
      "# HELP focusmeter_camera_up 1 when the camera's last check analysed a frame, 0 when it failed.\n"
      "# TYPE focusmeter_camera_up gauge\n"
      "focusmeter_camera_up{" + lobby + "} 1\n"
      "focusmeter_camera_up{" + dock + "} 1\n"
      "focusmeter_camera_up{" + gone + "} 0\n"
      "focusmeter_camera_up{" + dark + "} 1\n"
      "# HELP focusmeter_camera_score The model's score of the camera's last analysed frame, its probability of "
      "BLURRY (at or above the threshold: BLURRY).\n"
      "# TYPE focusmeter_camera_score gauge\n"
      "focusmeter_camera_score{" + lobby + "} 0.125\n"
      "focusmeter_camera_score{" + dock + "} 0.75\n"
      "# HELP focusmeter_camera_blurry 1 when the camera's last verdict was BLURRY (absolute or drift), 0 when it "
      "was CLEAR.\n"
      "# TYPE focusmeter_camera_blurry gauge\n"
      "focusmeter_camera_blurry{" + lobby + "} 0\n"
      "focusmeter_camera_blurry{" + dock + "} 1\n"
      "# HELP focusmeter_camera_last_check_timestamp_seconds Unix time of the camera's last check.\n"
      "# TYPE focusmeter_camera_last_check_timestamp_seconds gauge\n"
      "focusmeter_camera_last_check_timestamp_seconds{" + lobby + "} 1796290800.5\n"
      "focusmeter_camera_last_check_timestamp_seconds{" + dock + "} 1796290800.5\n"
      "focusmeter_camera_last_check_timestamp_seconds{" + gone + "} 1796290801\n"
      "focusmeter_camera_last_check_timestamp_seconds{" + dark + "} 1796290800.5\n"
      "# HELP focusmeter_build_info The focusmeter build answering; always 1.\n"
      "# TYPE focusmeter_build_info gauge\n"
      "focusmeter_build_info{version=\"" FOCUSMETER_VERSION "\"} 1\n"
      "# HELP focusmeter_scan_partial 1 when the scan that wrote these gauges was interrupted (cameras it did not "
      "reach are missing), else 0.\n"
      "# TYPE focusmeter_scan_partial gauge\n"
      "focusmeter_scan_partial 0\n";
  // clang-format on
  EXPECT_EQ(out.str(), expected);
  EXPECT_TRUE(focusmeter_test::promtool_check_metrics(out.str()).clean())
      << focusmeter_test::promtool_check_metrics(out.str()).output;
}

TEST(ScanPrometheus, PartialScanSaysSo) {
  rp::Report report = scan_report();
  report.partial = true;
  report.results.resize(1);
  std::ostringstream out;
  rp::write_prometheus(out, report);
  EXPECT_NE(out.str().find("\nfocusmeter_scan_partial 1\n"), std::string::npos) << out.str();
}

TEST(ScanPrometheus, FormatNameAndExtension) {
  EXPECT_EQ(rp::parse_report_format("prometheus"), rp::ReportFormat::Prometheus);
  EXPECT_STREQ(rp::report_format_name(rp::ReportFormat::Prometheus), "prometheus");
  EXPECT_EQ(rp::default_report_format("/var/lib/node_exporter/textfile/focusmeter.prom", false),
            rp::ReportFormat::Prometheus);
}
