// `focusmeter check` end to end: the real executable on media made in the
// test (a mixed folder, every bad-input case, clips encoded with GStreamer
// that go out of focus half way), its JSON schema, other formats and its
// exit codes. The model is tests/models/check-model.json (no default model
// is needed).
#include <glib.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>

#include "test_media.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kModel = std::string(FOCUSMETER_TEST_DATA) + "/models/check-model.json";

using check_test::CliRun;
using check_test::run_check;

class TempDir {
 public:
  TempDir() {
    g_autoptr(GError) err = nullptr;
    g_autofree gchar* d = g_dir_make_tmp("focusmeter-check-XXXXXX", &err);
    path_ = d ? d : "";
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (const auto& e : fs::recursive_directory_iterator(path_, ec))
      fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const json* find_source(const json& report, const std::string& source) {
  for (const json& r : report["results"])
    if (r["source"] == source) return &r;
  return nullptr;
}

// Every result of `check` has exactly these keys (docs/reports.md).
void expect_check_schema(const json& report) {
  ASSERT_TRUE(report.is_object());
  for (const char* k : {"command", "started", "model", "threshold", "elapsed_ms", "results", "summary"})
    EXPECT_TRUE(report.contains(k)) << k;
  EXPECT_EQ(report["command"], "check");
  for (const json& r : report["results"]) {
    const std::vector<std::string> keys = {
        "source", "kind",   "status",   "verdict",      "score",         "no_verdict", "features", "map",
        "width",  "height", "timeline", "blurry_share", "unknown_share", "snapshot",   "reason",   "elapsed_ms"};
    EXPECT_EQ(r.size(), keys.size()) << r.dump();
    for (const auto& k : keys) EXPECT_TRUE(r.contains(k)) << k << " in " << r.dump();
    EXPECT_TRUE(r["status"] == "ok" || r["status"] == "error" || r["status"] == "timeout" ||
                r["status"] == "stream_error")
        << r.dump();
    if (r["status"] == "ok" && r["verdict"] == "UNKNOWN") {
      // Nothing to judge: no score, and the cause.
      EXPECT_TRUE(r["score"].is_null()) << r.dump();
      EXPECT_TRUE(r["no_verdict"] == "too_dark" || r["no_verdict"] == "no_detail") << r.dump();
      EXPECT_FALSE(r["reason"].get<std::string>().empty()) << r.dump();
    } else if (r["status"] == "ok") {
      EXPECT_TRUE(r["verdict"] == "CLEAR" || r["verdict"] == "BLURRY") << r.dump();
      EXPECT_GE(r["score"].get<double>(), 0.0);
      EXPECT_LE(r["score"].get<double>(), 1.0);
      for (const char* f :
           {"laplacian_variance", "laplacian_max", "noise_sigma", "scharr_variance", "brightness", "contrast"})
        EXPECT_TRUE(r["features"].contains(f)) << f;
      EXPECT_GT(r["width"].get<int>(), 0);
      // The judged picture's focus map: one score and two flags per tile.
      ASSERT_TRUE(r["map"].is_object()) << r.dump();
      const std::size_t tiles = r["map"]["cols"].get<std::size_t>() * r["map"]["rows"].get<std::size_t>();
      EXPECT_EQ(r["map"]["scores"].size(), tiles);
      EXPECT_EQ(r["map"]["textured"].size(), tiles);
      EXPECT_EQ(r["map"]["overlay"].size(), tiles);
    } else {
      EXPECT_TRUE(r["verdict"].is_null());
      EXPECT_FALSE(r["reason"].get<std::string>().empty()) << r.dump();
      EXPECT_EQ(r["reason"].get<std::string>().find('\n'), std::string::npos);
    }
  }
  for (const char* k : {"inputs", "ok", "clear", "blurry", "error", "exit_status"})
    EXPECT_TRUE(report["summary"].contains(k)) << k;
}

json parse_report(const CliRun& r) {
  try {
    return json::parse(r.out);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return json();
  }
}

}  // namespace

TEST(CheckCli, MixedFolderEveryBadInputAndSchema) {
  TempDir dir;
  const cv::Mat sharp = check_test::sharp_picture();
  ASSERT_FALSE(sharp.empty());
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", sharp));
  ASSERT_TRUE(cv::imwrite(dir / "soft.jpg", check_test::blurred(sharp)));
  ASSERT_TRUE(cv::imwrite(dir / "sharp.jpg", sharp));
  const std::string jpeg = read_file(dir / "sharp.jpg");
  write_file(dir / "truncated.jpg", jpeg.substr(0, jpeg.size() / 2));
  write_file(dir / "zero.jpg", "");
  write_file(dir / "text.jpg", "this is not a picture\n");
  write_file(dir / "notes.txt", "skipped: neither an image nor a video\n");
  write_file(dir / "png-named.dat", read_file(dir / "sharp.png"));  // found by content
  ASSERT_EQ(check_test::make_audio_only(dir / "audio-only.ogg"), "");
  // Corrupt clips: a real AVI whose headers turn to garbage after 512
  // bytes, and an MP4 cut in half (its index, written last, is lost).
  ASSERT_EQ(check_test::make_clip(dir / "good.avi", 2, 5, 99, "jpegenc ! avimux"), "");
  std::string avi = read_file(dir / "good.avi");
  for (std::size_t i = 512; i < avi.size(); ++i) avi[i] = static_cast<char>((i * 7919) & 0xff);
  write_file(dir / "corrupt.avi", avi);
  fs::remove(dir / "good.avi");
  ASSERT_EQ(check_test::make_clip(dir / "good.mp4", 2, 5, 99, "x264enc speed-preset=ultrafast ! mp4mux"), "");
  const std::string mp4 = read_file(dir / "good.mp4");
  write_file(dir / "cut.mp4", mp4.substr(0, mp4.size() / 2));
  fs::remove(dir / "good.mp4");
  fs::create_directory(dir / "sub");
  ASSERT_TRUE(cv::imwrite(dir / "sub/deep.png", sharp));

  const CliRun r =
      run_check({"--model", kModel, "--format", "json", "--timeout", "5", dir.path(), dir / "missing.jpg"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // soft.jpg is BLURRY
  const json rep = parse_report(r);
  expect_check_schema(rep);

  auto expect_status = [&](const std::string& name, const char* status, const char* verdict, const char* reason) {
    const json* res = find_source(rep, name);
    ASSERT_NE(res, nullptr) << name << " missing from " << r.out;
    EXPECT_EQ((*res)["status"], status) << res->dump();
    if (verdict) {
      EXPECT_EQ((*res)["verdict"], verdict) << res->dump();
    }
    if (reason) {
      EXPECT_NE((*res)["reason"].get<std::string>().find(reason), std::string::npos) << res->dump();
    }
  };
  expect_status(dir / "sharp.png", "ok", "CLEAR", nullptr);
  expect_status(dir / "sharp.jpg", "ok", "CLEAR", nullptr);
  expect_status(dir / "soft.jpg", "ok", "BLURRY", nullptr);
  expect_status(dir / "png-named.dat", "ok", "CLEAR", nullptr);
  expect_status(dir / "truncated.jpg", "error", nullptr, "truncated");
  expect_status(dir / "zero.jpg", "error", nullptr, "empty file");
  expect_status(dir / "text.jpg", "error", nullptr, "not an image or a video");
  expect_status(dir / "audio-only.ogg", "error", nullptr, "no video track");
  expect_status(dir / "missing.jpg", "error", nullptr, "no such file");
  // Broken containers: the demuxer usually says so at once ("Could not
  // demultiplex stream", "no playable streams"), but now and then decodebin
  // loses that error and nothing more happens: then the stall timeout ends
  // it. Either way it is reported, not analysed, and the run goes on.
  for (const char* name : {"corrupt.avi", "cut.mp4"}) {
    const json* res = find_source(rep, dir / name);
    ASSERT_NE(res, nullptr) << name;
    EXPECT_TRUE((*res)["status"] == "error" || (*res)["status"] == "timeout") << res->dump();
    EXPECT_TRUE((*res)["verdict"].is_null());
  }
  EXPECT_EQ(find_source(rep, dir / "notes.txt"), nullptr);     // skipped in a folder
  EXPECT_EQ(find_source(rep, dir / "sub/deep.png"), nullptr);  // not without --recursive
  EXPECT_EQ(rep["summary"]["inputs"], rep["results"].size());
  EXPECT_EQ(rep["summary"]["blurry"], 1);
  EXPECT_EQ(rep["summary"]["clear"], 3);
  EXPECT_EQ(rep["summary"]["exit_status"], 1);
  EXPECT_EQ(rep["model"], kModel);

  const CliRun rec = run_check({"--model", kModel, "-f", "json", "--recursive", dir / "sub"});
  EXPECT_EQ(rec.exit_code, 0) << rec.err;
  const json rj = parse_report(rec);
  ASSERT_EQ(rj["results"].size(), 1u);
  EXPECT_EQ(rj["results"][0]["source"], dir / "sub/deep.png");
}

TEST(CheckCli, UnreadableFolderIsAnErrorNotAStop) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any folder; run the tests as a normal user to cover this";
  TempDir dir;
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", check_test::sharp_picture()));
  fs::create_directory(dir / "locked");
  ASSERT_TRUE(cv::imwrite(dir / "locked/x.png", check_test::sharp_picture()));
  ASSERT_EQ(chmod((dir / "locked").c_str(), 0), 0);
  const CliRun r = run_check({"--model", kModel, "-f", "json", dir / "locked", dir / "sharp.png"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const json rep = parse_report(r);
  const json* locked = find_source(rep, dir / "locked");
  ASSERT_NE(locked, nullptr) << r.out;
  EXPECT_EQ((*locked)["status"], "error");
  EXPECT_NE((*locked)["reason"].get<std::string>().find("cannot read folder"), std::string::npos);
  EXPECT_EQ((*find_source(rep, dir / "sharp.png"))["verdict"], "CLEAR");
}

TEST(CheckCli, ExitCodes) {
  TempDir dir;
  const cv::Mat sharp = check_test::sharp_picture();
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", sharp));
  ASSERT_TRUE(cv::imwrite(dir / "soft.png", check_test::blurred(sharp)));
  write_file(dir / "bad.jpg", "nope");
  write_file(dir / "broken-model.json", "{\"format\": \"focusmeter-model\"");

  EXPECT_EQ(run_check({"-m", kModel, "-f", "json", dir / "sharp.png"}).exit_code, 0);
  EXPECT_EQ(run_check({"-m", kModel, "-f", "json", dir / "sharp.png", dir / "soft.png"}).exit_code, 1);
  EXPECT_EQ(run_check({"-m", kModel, "-f", "json", dir / "sharp.png", dir / "bad.jpg"}).exit_code, 2);
  // BLURRY wins over "could not be checked".
  EXPECT_EQ(run_check({"-m", kModel, "-f", "json", dir / "soft.png", dir / "bad.jpg"}).exit_code, 1);
  const CliRun none = run_check({});
  EXPECT_EQ(none.exit_code, 64);
  EXPECT_NE(none.err.find("nothing to check"), std::string::npos) << none.err;
  EXPECT_EQ(run_check({"--format", "xml", dir / "sharp.png"}).exit_code, 64);
  EXPECT_EQ(run_check({"--no-such-option", dir / "sharp.png"}).exit_code, 64);
  EXPECT_EQ(run_check({"--every", "-1", dir / "sharp.png"}).exit_code, 64);
  // The shared parameter's rule (focusmeter/parameters.h), as scan's.
  const CliRun share = run_check({"--blurry-share", "-0.1", dir / "sharp.png"});
  EXPECT_EQ(share.exit_code, 64);
  EXPECT_NE(share.err.find("--blurry-share must be in [0, 1]"), std::string::npos) << share.err;
  EXPECT_EQ(run_check({"-o", dir / "no/such/dir/report.json", dir / "sharp.png"}).exit_code, 64);
  const CliRun bad_model = run_check({"-m", dir / "broken-model.json", dir / "sharp.png"});
  EXPECT_EQ(bad_model.exit_code, 65);
  EXPECT_NE(bad_model.err.find("broken-model.json"), std::string::npos) << bad_model.err;
}

// "A model is always there" (issue 12): the built binary judges with the
// model compiled into it, with no environment at all (no devenv, no install
// prefix, no $FOCUSMETER_MODEL); a named model that is missing is a usage
// error (64), an invalid one a data error (65), never a fall-back; features
// only is asked for (--no-model) and says nothing was judged (exit 2).
TEST(CheckCli, BareBinaryWithAnEmptyEnvironmentGivesVerdicts) {
  TempDir dir;
  const cv::Mat sharp = check_test::sharp_picture();
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", sharp));
  ASSERT_TRUE(cv::imwrite(dir / "soft.png", check_test::blurred(sharp, 4.0)));
  const std::string sharp_png = dir / "sharp.png", soft_png = dir / "soft.png";
  const char* argv[] = {"/usr/bin/env",   "-i",   FOCUSMETER_EXE, "check", "-f", "json", sharp_png.c_str(),
                        soft_png.c_str(), nullptr};
  const char* envp[] = {nullptr};
  g_autofree gchar* out = nullptr;
  g_autofree gchar* err = nullptr;
  gint status = 0;
  ASSERT_TRUE(g_spawn_sync(nullptr, const_cast<gchar**>(argv), const_cast<gchar**>(envp), G_SPAWN_DEFAULT, nullptr,
                           nullptr, &out, &err, &status, nullptr));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << err;  // one BLURRY
  const json rep = json::parse(out);
  EXPECT_EQ(rep["model"], "compiled-in default model (models/default.json)");
  EXPECT_EQ((*find_source(rep, sharp_png))["verdict"], "CLEAR") << out;
  EXPECT_EQ((*find_source(rep, soft_png))["verdict"], "BLURRY") << out;
}

TEST(CheckCli, NamedModelMustExistAndLoad) {
  TempDir dir;
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", check_test::sharp_picture()));
  write_file(dir / "broken-model.json", "{\"format\": \"focusmeter-model\"");
  const CliRun missing = run_check({"--model", "/nonexistent/model.json", dir / "sharp.png"});
  EXPECT_EQ(missing.exit_code, 64) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent/model.json"), std::string::npos) << missing.err;
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(run_check({"--model", dir / "broken-model.json", dir / "sharp.png"}).exit_code, 65);
  // $FOCUSMETER_MODEL names a model too: the same rules.
  EXPECT_EQ(run_check({dir / "sharp.png"}, {{"FOCUSMETER_MODEL", "/nonexistent/model.json"}}).exit_code, 64);
  EXPECT_EQ(run_check({dir / "sharp.png"}, {{"FOCUSMETER_MODEL", dir / "broken-model.json"}}).exit_code, 65);
  EXPECT_EQ(run_check({"-f", "json", dir / "sharp.png"}, {{"FOCUSMETER_MODEL", kModel}}).exit_code, 0);
  EXPECT_EQ(run_check({"--model", kModel, "--no-model", dir / "sharp.png"}).exit_code, 64);
}

TEST(CheckCli, NoModelReportsFeaturesAndSaysNothingWasJudged) {
  TempDir dir;
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", check_test::sharp_picture()));
  const CliRun r = run_check({"--no-model", "-f", "json", dir / "sharp.png"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const json rep = parse_report(r);
  EXPECT_TRUE(rep["model"].is_null());
  const json& res = rep["results"][0];
  EXPECT_EQ(res["status"], "ok");
  EXPECT_TRUE(res["verdict"].is_null());
  EXPECT_EQ(res["no_verdict"], "no_model");
  EXPECT_GT(res["features"]["laplacian_variance"].get<double>(), 0);
}

// A covered camera (lens cap: near-black sensor noise) is UNKNOWN with the
// cause, exit 2, never CLEAR; BLURRY still wins.
TEST(CheckCli, CoveredCameraIsUnknownWithAReason) {
  TempDir dir;
  cv::Mat cap(480, 640, CV_8UC1, cv::Scalar(3)), noise(cap.size(), CV_8UC1);
  cv::randn(noise, 0, 2);
  cap += noise;
  ASSERT_TRUE(cv::imwrite(dir / "cap.png", cap));
  ASSERT_TRUE(cv::imwrite(dir / "soft.png", check_test::blurred(check_test::sharp_picture(), 4.0)));
  const CliRun r = run_check({"-f", "json", dir / "cap.png"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const json rep = parse_report(r);
  expect_check_schema(rep);
  const json& res = rep["results"][0];
  EXPECT_EQ(res["verdict"], "UNKNOWN") << res.dump();
  EXPECT_EQ(res["no_verdict"], "too_dark") << res.dump();
  EXPECT_EQ(res["reason"].get<std::string>().rfind("covered or too dark (mean luma ", 0), 0u) << res.dump();
  EXPECT_EQ(run_check({"-f", "json", dir / "cap.png", dir / "soft.png"}).exit_code, 1);
  const CliRun table = run_check({"-f", "table", dir / "cap.png"});
  EXPECT_NE(table.out.find("UNKNOWN"), std::string::npos) << table.out;
  const CliRun nagios = run_check({"-f", "nagios", dir / "cap.png"});
  EXPECT_EQ(nagios.exit_code, 3) << nagios.out;
}

// Validated like scan: out-of-range values are usage errors, not silently
// "the model's" or "the default".
TEST(CheckCli, ThresholdAndJobsValidated) {
  TempDir dir;
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", check_test::sharp_picture()));
  for (const char* t : {"-5", "-0.5", "1.5"}) {
    const CliRun r = run_check({"-m", kModel, "-f", "json", "--threshold", t, dir / "sharp.png"});
    EXPECT_EQ(r.exit_code, 64) << t << r.out;
    EXPECT_NE(r.err.find("--threshold must be in [0, 1]"), std::string::npos) << r.err;
  }
  const CliRun jobs = run_check({"-m", kModel, "-f", "json", "--jobs", "-2", dir / "sharp.png"});
  EXPECT_EQ(jobs.exit_code, 64);
  EXPECT_NE(jobs.err.find("--jobs"), std::string::npos) << jobs.err;
  EXPECT_EQ(run_check({"-m", kModel, "-f", "json", "--threshold", "0", dir / "sharp.png"}).exit_code, 1);
  EXPECT_EQ(run_check({"-m", kModel, "-f", "json", "--jobs", "1", dir / "sharp.png"}).exit_code, 0);
}

// Hostile model files (issue 15) stop the command with one line naming the
// file and exit 65: never an abort (1e400 used to throw out of nlohmann),
// never a stack overflow (deep nesting), never a score that is not finite.
TEST(CheckCli, HostileModelFilesAreOneLineErrors) {
  TempDir dir;
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", check_test::sharp_picture()));
  std::ifstream in(kModel);
  json model = json::parse(in);
  std::string huge = model.dump();
  huge.replace(huge.find("\"intercept\":0.0"), std::string("\"intercept\":0.0").size(), "\"intercept\":1e400");
  write_file(dir / "huge-number.json", huge);
  std::string deep = model.dump();
  deep.pop_back();
  write_file(dir / "deep.json", deep + ",\"training\":" + std::string(100000, '[') + std::string(100000, ']') + "}");
  json extreme = model;
  extreme["features"][0]["std"] = 1e-308;
  write_file(dir / "extreme.json", extreme.dump());
  json other_features = model;
  other_features["feature_version"] = 1;
  write_file(dir / "old-features.json", other_features.dump());
  for (const char* name : {"huge-number.json", "deep.json", "extreme.json", "old-features.json"}) {
    const CliRun r = run_check({"-m", dir / name, "-f", "json", dir / "sharp.png"});
    EXPECT_EQ(r.exit_code, 65) << name << r.err;
    EXPECT_EQ(r.err.rfind("focusmeter check: " + (dir / name) + ": ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

// A frame whose score is not finite never becomes CLEAR: the clip (scored
// by the element) is an error saying why (element testing aid: NaN features).
TEST(CheckCli, NonFiniteScoreInAClipIsNoVerdict) {
  TempDir dir;
  const std::string clip = dir / "clip.avi";
  ASSERT_EQ(check_test::make_clip(clip, 2, 5, 99, "jpegenc ! avimux"), "");
  const CliRun r =
      run_check({"-m", kModel, "-f", "json", "--every", "0.5", clip}, {{"FOCUSMETER_ELEMENT_TEST_FAULT", "nan"}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const json rep = parse_report(r);
  const json& res = rep["results"][0];
  EXPECT_EQ(res["status"], "error") << res.dump();
  EXPECT_TRUE(res["verdict"].is_null()) << res.dump();
  EXPECT_EQ(res["reason"].get<std::string>().rfind("no verdict: ", 0), 0u) << res.dump();
}

// -t is the threshold in every command that has one (docs/check.md).
TEST(CheckCli, ShortThresholdOption) {
  TempDir dir;
  ASSERT_TRUE(cv::imwrite(dir / "sharp.png", check_test::sharp_picture()));
  EXPECT_EQ(run_check({"-m", kModel, "-f", "json", "-t", "0", dir / "sharp.png"}).exit_code, 1);
  EXPECT_EQ(run_check({"-m", kModel, "-f", "json", "-t", "-1", dir / "sharp.png"}).exit_code, 0);
}

TEST(CheckCli, HelpNamesTheSubcommand) {
  const CliRun r = run_check({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("focusmeter check [OPTION"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--password-file"), std::string::npos) << r.out;
}

// a/b.png (in a folder) and a_b.png, and one image given twice, were all
// written to the same snapshot file.
TEST(CheckCli, SnapshotNamesNeverCollide) {
  TempDir dir;
  const cv::Mat sharp = check_test::sharp_picture();
  fs::create_directories(dir / "a");
  ASSERT_TRUE(cv::imwrite(dir / "a/b.png", sharp));
  ASSERT_TRUE(cv::imwrite(dir / "a_b.png", check_test::blurred(sharp)));
  const CliRun r = run_check({"-m", kModel, "-f", "json", "--snapshots", dir / "snaps", "-j", "4", dir / "a/b.png",
                              dir / "a_b.png", dir / "a/b.png"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json rep = json::parse(r.out);
  std::set<std::string> files;
  for (const json& res : rep["results"]) {
    ASSERT_TRUE(res["snapshot"].is_string()) << res.dump();
    files.insert(res["snapshot"].get<std::string>());
  }
  EXPECT_EQ(files.size(), 3u) << r.out;
  int on_disk = 0;
  for (const auto& e : fs::directory_iterator(dir / "snaps")) {
    EXPECT_FALSE(cv::imread(e.path().string()).empty()) << e.path();
    ++on_disk;
  }
  EXPECT_EQ(on_disk, 3);
}

// A password in a URL is refused without being echoed; with
// --password-file it never reaches the report, stderr or file names.
TEST(CheckCli, StreamPasswordNeverShown) {
  TempDir dir;
  // Nothing listens on this port: the stream fails fast.
  check_test::RefusingPort closed;
  ASSERT_GT(closed.port(), 0);
  const std::string cam = "127.0.0.1:" + std::to_string(closed.port()) + "/cam";
  const CliRun refused = run_check({"-f", "json", "rtsp://admin:hunter22@" + cam});
  EXPECT_EQ(refused.exit_code, 64);
  EXPECT_EQ(refused.out.find("hunter22"), std::string::npos) << refused.out;
  EXPECT_EQ(refused.err.find("hunter22"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--password-file"), std::string::npos) << refused.err;

  write_file(dir / "pw", "hunter22\n");
  for (const char* format : {"json", "jsonl", "csv", "table", "html"}) {
    const CliRun r = run_check({"-m", kModel, "-f", format, "--timeout", "3", "--user", "admin", "--password-file",
                                dir / "pw", "rtsp://" + cam},
                               {{"GST_DEBUG", "rtspsrc:6"}});
    EXPECT_EQ(r.exit_code, 2) << format << r.err;
    EXPECT_EQ(r.out.find("hunter22"), std::string::npos) << format << r.out;
    EXPECT_EQ(r.err.find("hunter22"), std::string::npos) << format;
    if (std::string(format) != "table") {  // the table may shorten long sources
      EXPECT_NE(r.out.find("rtsp://admin:***@" + cam), std::string::npos) << format << r.out;
    }
  }
  const CliRun env = run_check({"-m", kModel, "-f", "json", "--timeout", "3", "rtsp://viewer@" + cam},
                               {{"FOCUSMETER_PASSWORD", "hunter22"}});
  EXPECT_EQ(env.exit_code, 2) << env.err;
  EXPECT_EQ(json::parse(env.out)["results"][0]["source"], "rtsp://viewer:***@" + cam) << env.out;
  EXPECT_EQ(env.err.find("hunter22"), std::string::npos);
}

// One report of the half-blurred clip: CLEAR, then BLURRY from the middle on.
void expect_flip_in(const CliRun& r, double seconds, double middle) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json rep = parse_report(r);
  expect_check_schema(rep);
  ASSERT_EQ(rep["results"].size(), 1u);
  const json& res = rep["results"][0];
  EXPECT_EQ(res["kind"], "video");
  EXPECT_EQ(res["status"], "ok") << res.dump();
  EXPECT_EQ(res["width"], 512);
  const json& tl = res["timeline"];
  ASSERT_GE(tl.size(), 8u) << res.dump();
  ASSERT_LE(tl.size(), 12u) << res.dump();
  // One flip, CLEAR -> BLURRY, at the middle.
  double flip = -1;
  for (std::size_t i = 0; i < tl.size(); ++i) {
    if (i > 0) {
      EXPECT_DOUBLE_EQ(tl[i]["start"].get<double>(), tl[i - 1]["end"].get<double>());
    }
    if (tl[i]["verdict"] == "BLURRY" && flip < 0) flip = tl[i]["start"].get<double>();
    EXPECT_EQ(tl[i]["verdict"], flip < 0 ? "CLEAR" : "BLURRY") << i;
  }
  EXPECT_NEAR(flip, middle, 1.0) << res.dump();
  EXPECT_NEAR(tl.back()["end"].get<double>(), seconds, 0.5);
  EXPECT_NEAR(res["blurry_share"].get<double>(), 0.5, 0.15);
  EXPECT_EQ(res["verdict"], "BLURRY");  // half the time BLURRY: at the default share 0.5
}

// The clip is sharp for its first half and blurred from its middle on; the
// timeline must flip from CLEAR to BLURRY at the middle (within 1 s).
void expect_flip(const std::string& encoder, const std::string& ext, bool every_frame_a_keyframe) {
  TempDir dir;
  const std::string clip = dir / ("half-blurred." + ext);
  const double seconds = 10, middle = 5;
  const std::string made = check_test::make_clip(clip, seconds, 10, middle, encoder);
  ASSERT_EQ(made, "");

  std::vector<std::vector<std::string>> modes = {{}};
  // --seek lands on keyframes: only as fine as the clip's keyframe spacing.
  if (every_frame_a_keyframe) modes.push_back({"--seek"});
  for (const auto& mode : modes) {
    SCOPED_TRACE(mode.empty() ? "decoding every frame" : "with --seek");
    std::vector<std::string> args = {"--model", kModel, "--format", "json", "--every", "1", clip};
    args.insert(args.begin(), mode.begin(), mode.end());
    expect_flip_in(run_check(args), seconds, middle);
  }

  // --from/--to keep the timeline inside the range and its clip times.
  const CliRun part = run_check({"--model", kModel, "-f", "json", "--from", "1", "--to", "4", clip});
  EXPECT_EQ(part.exit_code, 0) << part.err;  // only the sharp half
  const json pj = parse_report(part);
  const json& ptl = pj["results"][0]["timeline"];
  ASSERT_FALSE(ptl.empty()) << part.out;
  EXPECT_NEAR(ptl.front()["start"].get<double>(), 1.0, 0.25);
  EXPECT_LE(ptl.back()["end"].get<double>(), 4.01);
  for (const json& s : ptl) EXPECT_EQ(s["verdict"], "CLEAR");
}

TEST(CheckCli, MjpegAviFlipsAtTheMiddle) { expect_flip("jpegenc ! avimux", "avi", true); }
TEST(CheckCli, H264Mp4FlipsAtTheMiddle) {
  expect_flip("x264enc speed-preset=ultrafast tune=zerolatency ! mp4mux", "mp4", false);
}

// A clip is scored by the element with check's --model alone, whatever
// $FOCUSMETER_MODEL (the element's default) is: broken, or a valid model
// that does not read blur_effect, the feature check's model needs.
TEST(CheckCli, ClipModelOnAnotherFeatureIgnoresTheDefaultModel) {
  TempDir dir;
  const std::string clip = dir / "half-blurred.avi";
  ASSERT_EQ(check_test::make_clip(clip, 10, 10, 5, "jpegenc ! avimux"), "");
  write_file(dir / "broken-default.json", "{ not a model");
  const std::string model = std::string(FOCUSMETER_TEST_DATA) + "/models/check-blur-effect-model.json";
  for (const std::string& default_model : {dir / "broken-default.json", kModel}) {
    SCOPED_TRACE("FOCUSMETER_MODEL=" + default_model);
    const CliRun r =
        run_check({"--model", model, "--format", "json", "--every", "1", clip}, {{"FOCUSMETER_MODEL", default_model}});
    expect_flip_in(r, 10, 5);
    const json rep = parse_report(r);
    ASSERT_EQ(rep["results"].size(), 1u);
    EXPECT_TRUE(rep["results"][0]["features"].contains("blur_effect")) << r.out;
  }
}

// A flat clip (a lens cap, a wall): judge() gives "no evidence" (0.5), and
// the result says so.
TEST(CheckCli, FlatClipIsUnknownNotClear) {
  TempDir dir;
  const std::string clip = dir / "flat.avi";
  gst_init(nullptr, nullptr);
  const std::string desc =
      "videotestsrc pattern=solid-color foreground-color=0xff808080 num-buffers=30 ! "
      "video/x-raw,width=320,height=240,framerate=10/1 ! videoconvert ! jpegenc ! avimux ! filesink location=\"" +
      clip + "\"";
  {
    g_autoptr(GstElement) pipeline = gst_parse_launch(desc.c_str(), nullptr);
    ASSERT_TRUE(pipeline);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
    g_autoptr(GstMessage) msg =
        gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    gst_element_set_state(pipeline, GST_STATE_NULL);
    ASSERT_TRUE(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS);
  }
  const CliRun r = run_check({"--model", kModel, "--format", "json", clip});
  const json rep = parse_report(r);
  ASSERT_EQ(rep["results"].size(), 1u) << r.out;
  const json& res = rep["results"][0];
  EXPECT_EQ(res["status"], "ok") << res.dump();
  EXPECT_EQ(res["verdict"], "UNKNOWN") << res.dump();
  EXPECT_TRUE(res["score"].is_null()) << res.dump();
  EXPECT_TRUE(res["blurry_share"].is_null()) << res.dump();
  EXPECT_DOUBLE_EQ(res["unknown_share"].get<double>(), 1.0) << res.dump();
  EXPECT_EQ(res["no_verdict"], "no_detail") << res.dump();
  EXPECT_NE(res.value("reason", "").find("no detail to judge focus: flat picture"), std::string::npos) << res.dump();
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

// A flat still image is judged like the flat clip and the element's frames:
// score 0.5 and the reason says why, while a textured one gets a verdict.
TEST(CheckCli, FlatImageIsUnknownNotClear) {
  TempDir dir;
  ASSERT_TRUE(cv::imwrite(dir / "wall.png", cv::Mat(240, 320, CV_8UC1, cv::Scalar(128))));
  ASSERT_TRUE(cv::imwrite(dir / "busy.png", check_test::sharp_picture()));
  const CliRun r = run_check({"--model", kModel, "--format", "json", dir.path()});
  const json rep = parse_report(r);
  expect_check_schema(rep);
  const json* wall = find_source(rep, dir / "wall.png");
  const json* busy = find_source(rep, dir / "busy.png");
  ASSERT_TRUE(wall && busy) << r.out;
  EXPECT_EQ((*wall)["status"], "ok") << wall->dump();
  EXPECT_EQ((*wall)["verdict"], "UNKNOWN") << wall->dump();
  EXPECT_TRUE((*wall)["score"].is_null()) << wall->dump();
  EXPECT_EQ((*wall)["reason"], "no detail to judge focus: flat picture (detail 0/255)") << wall->dump();
  EXPECT_EQ((*busy)["status"], "ok") << busy->dump();
  EXPECT_TRUE((*busy)["score"].is_number()) << busy->dump();
  EXPECT_TRUE((*busy)["reason"].is_null() || (*busy)["reason"] == "") << busy->dump();
  EXPECT_EQ(rep["summary"]["unknown"], 1) << rep["summary"].dump();
  EXPECT_EQ(r.exit_code, 2) << "an UNKNOWN input is not all clear";
}

TEST(CheckCli, OtherFormatsSnapshotsAndShow) {
  TempDir dir;
  const cv::Mat sharp = check_test::sharp_picture();
  ASSERT_TRUE(cv::imwrite(dir / "a.png", sharp));
  ASSERT_TRUE(cv::imwrite(dir / "b.png", check_test::blurred(sharp)));
  ASSERT_EQ(check_test::make_clip(dir / "clip.avi", 4, 5, 2, "jpegenc ! avimux"), "");
  write_file(dir / "bad.jpg", "x");
  const std::vector<std::string> inputs = {dir / "a.png", dir / "b.png", dir / "clip.avi", dir / "bad.jpg"};

  auto with = [&](std::vector<std::string> opts) {
    opts.insert(opts.begin(), {"-m", kModel});
    opts.insert(opts.end(), inputs.begin(), inputs.end());
    return opts;
  };
  const CliRun jsonl = run_check(with({"-f", "jsonl"}));
  EXPECT_EQ(jsonl.exit_code, 1);
  std::istringstream lines(jsonl.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(json::parse(line).contains("source")) << line;
    ++n;
  }
  EXPECT_EQ(n, 4);

  const CliRun csv = run_check(with({"-f", "csv"}));
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 5) << csv.out;
  EXPECT_EQ(csv.out.rfind("source,kind,status,verdict,score,blurry_share,", 0), 0u);

  const CliRun table = run_check(with({"-f", "table", "--color", "never"}));
  EXPECT_NE(table.out.find("4 inputs: 3 ok (1 CLEAR, 2 BLURRY), 1 error"), std::string::npos) << table.out;

  // HTML to a file (format from the extension), with snapshots.
  const CliRun html = run_check(with({"-o", dir / "report.html", "--snapshots", dir / "snaps"}));
  EXPECT_EQ(html.exit_code, 1) << html.err;
  EXPECT_TRUE(html.out.empty());
  const std::string page = read_file(dir / "report.html");
  EXPECT_NE(page.find("data:image/jpeg;base64,"), std::string::npos);
  EXPECT_NE(page.find("<svg class=chart"), std::string::npos);  // the clip's score over time
  int snaps = 0;
  for (const auto& e : fs::directory_iterator(dir / "snaps")) {
    EXPECT_FALSE(cv::imread(e.path().string()).empty()) << e.path();
    ++snaps;
  }
  EXPECT_EQ(snaps, 3);  // a, b and the clip; nothing for bad.jpg

  // --show without a display: one clear line, usage error, nothing checked.
  const std::vector<std::string> no_display = {"env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY"};
  std::vector<const char*> argv;
  for (const auto& a : no_display) argv.push_back(a.c_str());
  for (const char* a : {FOCUSMETER_EXE, "check", "--show"}) argv.push_back(a);
  argv.push_back(inputs[0].c_str());
  argv.push_back(nullptr);
  g_autofree gchar* err = nullptr;
  gint status = 0;
  ASSERT_TRUE(g_spawn_sync(nullptr, const_cast<gchar**>(argv.data()), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr,
                           nullptr, &err, &status, nullptr));
  EXPECT_EQ(WEXITSTATUS(status), 64);
  EXPECT_NE(std::string(err).find("--show needs a display"), std::string::npos) << err;

  // A display that does not answer: the GUI backend would abort; check
  // must say so in one line instead.
  const std::vector<std::string> dead_display = {"env", "-u", "WAYLAND_DISPLAY", "DISPLAY=:4711"};
  argv.clear();
  for (const auto& a : dead_display) argv.push_back(a.c_str());
  for (const char* a : {FOCUSMETER_EXE, "check", "--show"}) argv.push_back(a);
  argv.push_back(inputs[0].c_str());
  argv.push_back(nullptr);
  g_autofree gchar* err2 = nullptr;
  ASSERT_TRUE(g_spawn_sync(nullptr, const_cast<gchar**>(argv.data()), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr,
                           nullptr, &err2, &status, nullptr));
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal: " << err2;
  EXPECT_EQ(WEXITSTATUS(status), 64);
  EXPECT_NE(std::string(err2).find("--show cannot open a window on display :4711"), std::string::npos) << err2;
  EXPECT_EQ(std::string(err2).find("qt."), std::string::npos) << err2;
}
