// The shared report writers over hand-made results: every format says the
// same thing, the JSON follows docs/reports.md, and the exit status follows
// cli/exit_codes.h.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "media/frame_outputs.h"
#include "report/report.h"

using namespace focusmeter;
using namespace focusmeter::cli;
using namespace focusmeter::report;
using namespace focusmeter::media;
using nlohmann::json;

namespace {

FeatureVector some_features(double lv) {
  FeatureVector fv;
  fv.set(Feature::LaplacianVariance, lv);
  fv.set(Feature::LaplacianMax, 1.5);
  fv.set(Feature::NoiseSigma, 0.01);
  fv.set(Feature::ScharrVariance, 0.002);
  fv.set(Feature::Brightness, 0.5);
  fv.set(Feature::Contrast, 0.2);
  return fv;
}

Result ok_result(const std::string& source, Verdict v, double score) {
  Result r;
  r.source = source;
  r.kind = "image";
  r.status = Status::Ok;
  r.verdict = v;
  r.score = score;
  r.features = some_features(0.01);
  r.width = 640;
  r.height = 480;
  return r;
}

Result error_result(const std::string& source, const std::string& reason) {
  Result r;
  r.source = source;
  r.kind = "image";
  r.status = Status::Error;
  r.reason = reason;
  return r;
}

Report check_report() {
  Report rep;
  rep.kind = ReportKind::Check;
  rep.started = "2026-11-26T00:00:00Z";
  rep.model = "model.json";
  rep.threshold = 0.5;
  rep.results.push_back(ok_result("a.jpg", Verdict::Clear, 0.1));
  rep.results.push_back(ok_result("b,\"quoted\".png", Verdict::Blurry, 0.9));
  rep.results.push_back(error_result("c.jpg", "not a decodable image"));
  Result clip = ok_result("clip.mp4", Verdict::Blurry, 0.6);
  clip.kind = "video";
  clip.timeline = {{0, 1, 0.1, Verdict::Clear}, {1, 2, 0.9, Verdict::Blurry}};
  clip.blurry_share = 0.5;
  rep.results.push_back(clip);
  return rep;
}

Report scan_report() {
  Report rep;
  rep.kind = ReportKind::Scan;
  rep.started = "2026-11-26T00:00:00Z";
  Result cam;
  cam.target = "127.0.0.1-2";
  cam.host = "127.0.0.1";
  cam.url = "rtsp://admin:***@127.0.0.1:8554/Streaming/Channels/101";
  cam.brand = "hikvision";
  cam.status = Status::Ok;
  cam.features = some_features(0.02);
  cam.width = 1920;
  cam.height = 1080;
  rep.results.push_back(cam);
  Result dead;
  dead.target = "127.0.0.1-2";
  dead.host = "127.0.0.2";
  dead.status = Status::Unreachable;
  dead.reason = "connection refused";
  rep.results.push_back(dead);
  return rep;
}

}  // namespace

TEST(Summary, CountsAndExitStatus) {
  const Summary s = summarize(check_report().results);
  EXPECT_EQ(s.total, 4u);
  EXPECT_EQ(s.count(Status::Ok), 3u);
  EXPECT_EQ(s.count(Status::Error), 1u);
  EXPECT_EQ(s.clear, 1u);
  EXPECT_EQ(s.blurry, 2u);
  EXPECT_EQ(report::exit_status(s), kExitBlurry);

  EXPECT_EQ(report::exit_status(report::summarize({ok_result("a", Verdict::Clear, 0.1)})), kExitAllClear);
  EXPECT_EQ(report::exit_status(report::summarize({ok_result("a", Verdict::Clear, 0.1), error_result("b", "x")})),
            kExitUnchecked);
  // Features only (no model): checked, nothing blurry.
  report::Result nomodel = ok_result("a", Verdict::Clear, 0.1);
  nomodel.verdict.reset();
  nomodel.score.reset();
  const Summary n = summarize({nomodel});
  EXPECT_EQ(n.no_verdict, 1u);
  EXPECT_EQ(report::exit_status(n), kExitAllClear);
  // Nothing checked at all (a scanned range where nothing answered) is not
  // "all clear".
  EXPECT_EQ(report::exit_status(report::summarize({})), kExitUnchecked);
}

TEST(Json, CheckSchema) {
  std::ostringstream out;
  report::write_json(out, check_report());
  const json j = json::parse(out.str());
  EXPECT_EQ(j["command"], "check");
  EXPECT_EQ(j["started"], "2026-11-26T00:00:00Z");
  EXPECT_EQ(j["model"], "model.json");
  ASSERT_EQ(j["results"].size(), 4u);
  const json& a = j["results"][0];
  for (const char* key : {"source", "kind", "status", "verdict", "score", "features", "width", "height", "timeline",
                          "blurry_share", "snapshot", "reason", "elapsed_ms"})
    EXPECT_TRUE(a.contains(key)) << key;
  EXPECT_FALSE(a.contains("host"));
  EXPECT_EQ(a["status"], "ok");
  EXPECT_EQ(a["verdict"], "CLEAR");
  EXPECT_DOUBLE_EQ(a["score"].get<double>(), 0.1);
  for (const char* f :
       {"laplacian_variance", "laplacian_max", "noise_sigma", "scharr_variance", "brightness", "contrast"})
    EXPECT_TRUE(a["features"].contains(f)) << f;
  const json& bad = j["results"][2];
  EXPECT_EQ(bad["status"], "error");
  EXPECT_TRUE(bad["verdict"].is_null());
  EXPECT_TRUE(bad["features"].is_null());
  EXPECT_EQ(bad["reason"], "not a decodable image");
  const json& clip = j["results"][3];
  ASSERT_EQ(clip["timeline"].size(), 2u);
  EXPECT_EQ(clip["timeline"][1]["verdict"], "BLURRY");
  EXPECT_DOUBLE_EQ(clip["timeline"][1]["start"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(clip["blurry_share"].get<double>(), 0.5);
  EXPECT_EQ(j["summary"]["inputs"], 4);
  EXPECT_EQ(j["summary"]["blurry"], 2);
  EXPECT_EQ(j["summary"]["error"], 1);
  EXPECT_EQ(j["summary"]["exit_status"], kExitBlurry);
}

TEST(Json, ScanSchema) {
  std::ostringstream out;
  report::write_json(out, scan_report());
  const json j = json::parse(out.str());
  EXPECT_EQ(j["command"], "scan");
  EXPECT_TRUE(j["model"].is_null());
  const json& cam = j["results"][0];
  for (const char* key : {"target", "host", "url", "brand", "status", "verdict", "score", "features", "width", "height",
                          "snapshot", "reason", "elapsed_ms"})
    EXPECT_TRUE(cam.contains(key)) << key;
  EXPECT_FALSE(cam.contains("source"));
  EXPECT_FALSE(cam.contains("timeline"));
  EXPECT_EQ(cam["url"], "rtsp://admin:***@127.0.0.1:8554/Streaming/Channels/101");
  EXPECT_EQ(j["results"][1]["status"], "unreachable");
  const json& s = j["summary"];
  EXPECT_EQ(s["targets"], 2);
  EXPECT_EQ(s["ok"], 1);
  EXPECT_EQ(s["no_verdict"], 1);
  for (const char* st : {"unreachable", "auth_failed", "not_found", "timeout", "stream_error", "error"})
    EXPECT_TRUE(s.contains(st)) << st;
  EXPECT_EQ(s["unreachable"], 1);
  EXPECT_EQ(s["exit_status"], kExitUnchecked);
}

TEST(Json, InvalidUtf8NameDoesNotThrow) {
  report::Report rep = check_report();
  rep.results[0].source = "bad\xff\xfe.jpg";
  std::ostringstream out;
  EXPECT_NO_THROW(report::write_json(out, rep));
  EXPECT_NO_THROW(json::parse(out.str()));
}

TEST(Jsonl, OneLinePerResultAsAdded) {
  std::ostringstream out;
  auto w = report::make_report_writer(ReportFormat::Jsonl, out, ReportKind::Check);
  const Report rep = check_report();
  w->add(rep.results[0]);
  const std::string after_one = out.str();
  EXPECT_EQ(std::count(after_one.begin(), after_one.end(), '\n'), 1);  // written at once
  for (std::size_t i = 1; i < rep.results.size(); ++i) w->add(rep.results[i]);
  w->finish(rep);
  std::istringstream in(out.str());
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const json j = json::parse(line);
    EXPECT_TRUE(j.contains("source"));
    ++n;
  }
  EXPECT_EQ(n, 4);
}

TEST(Csv, HeaderQuotingAndFeatures) {
  std::ostringstream out;
  report::write_csv(out, check_report());
  std::istringstream in(out.str());
  std::string header, first, second;
  std::getline(in, header);
  std::getline(in, first);
  std::getline(in, second);
  EXPECT_EQ(header.rfind("source,kind,status,verdict,score,blurry_share,laplacian_variance,", 0), 0u) << header;
  EXPECT_NE(header.find(",width,height,segments,snapshot,reason,elapsed_ms"), std::string::npos);
  EXPECT_EQ(first.rfind("a.jpg,image,ok,CLEAR,0.1,,0.01,", 0), 0u) << first;
  EXPECT_EQ(second.rfind("\"b,\"\"quoted\"\".png\",image,ok,BLURRY,0.9,", 0), 0u) << second;
}

TEST(Table, AlignedWithSummaryAndColour) {
  std::ostringstream plain, coloured;
  report::write_table(plain, check_report(), {false});
  report::write_table(coloured, check_report(), {true});
  const std::string t = plain.str();
  EXPECT_EQ(t.find("\033["), std::string::npos);
  EXPECT_NE(coloured.str().find("\033[1;31mBLURRY"), std::string::npos);
  EXPECT_NE(t.find("SOURCE"), std::string::npos);
  EXPECT_NE(t.find("50%"), std::string::npos);  // the clip's BLURRY share
  EXPECT_NE(t.find("4 inputs: 3 ok (1 CLEAR, 2 BLURRY), 1 error"), std::string::npos) << t;
  // Columns line up: STATUS starts at the same offset on every row.
  std::istringstream in(t);
  std::string header, row;
  std::getline(in, header);
  const auto col = header.find("STATUS");
  std::getline(in, row);
  EXPECT_EQ(row.substr(col, 2), "ok");

  std::ostringstream scan;
  report::write_table(scan, scan_report());
  EXPECT_NE(scan.str().find("HOST"), std::string::npos);
  EXPECT_NE(scan.str().find("hikvision"), std::string::npos);
  EXPECT_NE(scan.str().find("2 targets: 1 ok"), std::string::npos) << scan.str();
}

TEST(Html, SelfContainedWithThumbnailChartAndEscaping) {
  report::Report rep = check_report();
  const cv::Mat frame(60, 80, CV_8UC1, cv::Scalar(128));
  rep.results[0].thumbnail_jpeg = media::encode_thumbnail(frame);
  ASSERT_FALSE(rep.results[0].thumbnail_jpeg.empty());
  rep.results[2].reason = "<script>alert(1)</script>";
  std::ostringstream out;
  report::write_html(out, rep);
  const std::string h = out.str();
  EXPECT_NE(h.find("<img alt='analysed frame' src='data:image/jpeg;base64,/9j/"), std::string::npos);
  EXPECT_NE(h.find("<svg class=chart"), std::string::npos);
  EXPECT_EQ(h.find("<script>alert"), std::string::npos);
  EXPECT_NE(h.find("&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_EQ(h.find("http://"), std::string::npos);  // nothing fetched from the network
  EXPECT_EQ(h.find("https://"), std::string::npos);
  // Problems first: the error row comes before the CLEAR one.
  EXPECT_LT(h.find("c.jpg"), h.find("a.jpg"));
}

TEST(Formats, ParseAndDefaults) {
  EXPECT_EQ(report::parse_report_format("jsonl"), ReportFormat::Jsonl);
  EXPECT_FALSE(report::parse_report_format("xml"));
  EXPECT_EQ(report::default_report_format("", true), ReportFormat::Table);
  EXPECT_EQ(report::default_report_format("", false), ReportFormat::Json);
  EXPECT_EQ(report::default_report_format("r.html", true), ReportFormat::Html);
  EXPECT_EQ(report::default_report_format("r.csv", true), ReportFormat::Csv);
  EXPECT_EQ(report::default_report_format("r.jsonl", true), ReportFormat::Jsonl);
}

TEST(Snapshots, FileNamesAndSaving) {
  const std::string night = media::snapshot_file_name("cams/night 1.mp4");
  EXPECT_EQ(night.rfind("cams_night_1.mp4-", 0), 0u) << night;
  EXPECT_EQ(night.size(), std::string("cams_night_1.mp4-").size() + 16 + 4) << night;
  EXPECT_EQ(night, media::snapshot_file_name("cams/night 1.mp4"));  // stable
  EXPECT_EQ(media::snapshot_file_name("a_b.jpg"), "a_b.jpg.jpg");   // safe names stay as they are
  // Labels that only differ in unsafe characters get different files.
  EXPECT_NE(media::snapshot_file_name("a/b.jpg"), media::snapshot_file_name("a_b.jpg"));
  EXPECT_NE(media::snapshot_file_name("a/b.jpg"), media::snapshot_file_name("a b.jpg"));
  EXPECT_NE(media::snapshot_file_name("/abs/x.jpg"), media::snapshot_file_name("abs/x.jpg"));
  EXPECT_EQ(media::snapshot_file_name("").rfind("frame-", 0), 0u);
  EXPECT_EQ(media::snapshot_label(0, "x.jpg"), "0001-x.jpg");
  EXPECT_EQ(media::snapshot_label(41, "x.jpg"), "0042-x.jpg");
  const std::string long_a(300, 'a');
  EXPECT_LE(media::snapshot_file_name(long_a).size(), 130u);
  EXPECT_NE(media::snapshot_file_name(long_a + "1"), media::snapshot_file_name(long_a + "2"));

  const auto dir = std::filesystem::temp_directory_path() / ("fm-snap-" + std::to_string(getpid()));
  std::string error;
  ASSERT_TRUE(media::prepare_snapshot_dir((dir / "sub").string(), error)) << error;
  report::Result r = ok_result("x/y.png", Verdict::Clear, 0.2);
  media::attach_frame(r, cv::Mat(40, 50, CV_8UC3, cv::Scalar(1, 2, 3)), r.source, true, (dir / "sub").string());
  EXPECT_FALSE(r.thumbnail_jpeg.empty());
  ASSERT_FALSE(r.snapshot.empty()) << r.reason;
  const cv::Mat back = cv::imread(r.snapshot);
  EXPECT_EQ(back.cols, 50);
  EXPECT_EQ(back.rows, 40);
  EXPECT_FALSE(media::prepare_snapshot_dir("/proc/focusmeter-cannot-exist", error));
  EXPECT_FALSE(error.empty());
  std::filesystem::remove_all(dir);
}

TEST(Show, AnnotatesAndFailsWithoutDisplay) {
  const cv::Mat frame(720, 1920, CV_8UC1, cv::Scalar(10));
  const Result r = ok_result("a.jpg", Verdict::Blurry, 0.9);
  const cv::Mat a = media::annotate_frame(frame, r, "a.jpg");
  EXPECT_EQ(a.channels(), 3);
  EXPECT_LE(a.cols, 1280);
  unsetenv("DISPLAY");
  unsetenv("WAYLAND_DISPLAY");
  std::string error;
  EXPECT_EQ(FrameViewer::open(error), nullptr);
  EXPECT_NE(error.find("needs a display"), std::string::npos) << error;
}

TEST(Progress, QuietWhenDisabledAndCounts) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressLine p(f, 3, false);
    p.update(ok_result("a", Verdict::Blurry, 0.9));
    p.update(error_result("b", "x"));
    EXPECT_EQ(p.text().rfind("2/3 done, 1 found, 1 BLURRY, ", 0), 0u) << p.text();
  }
  EXPECT_EQ(std::ftell(f), 0);  // nothing drawn
  {
    ProgressLine p(f, 1, true);
    p.update(ok_result("a", Verdict::Clear, 0.1));
  }
  EXPECT_GT(std::ftell(f), 0);
  std::fclose(f);
}
