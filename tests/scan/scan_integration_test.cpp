// `focusmeter scan` against real servers on loopback: fake cameras
// (tests/fakecam) — sharp, blurred, behind digest auth, at several brands'
// paths, with a password the scanner does not know, without video — plus a
// TCP peer that answers garbage and one that never answers, all on one
// random 127.x.y.0/24 block and one port chosen at run time. Asserts every
// status and verdict, the time bound, and that the password is nowhere.
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace {

const std::string kPassword = "Fm-Cam-pw-7c1e";     // the scanner's password
const std::string kOtherPassword = "Other-pw-93b";  // a camera's own, unknown to the scanner

struct Camera {
  int last_octet;
  std::vector<std::string> args;  // fakecam arguments besides address/port
  std::string expect_status;
  std::string expect_verdict;  // "" = none
  std::string expect_brand;    // "" = none
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct RunResult {
  int status = -1;
  std::string out, err;
  double seconds = 0;
};

// Runs focusmeter with `args` and extra environment; waits for it.
RunResult run_focusmeter(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE));
  for (const auto& [k, v] : env) g_subprocess_launcher_setenv(launcher, k.c_str(), v.c_str(), TRUE);
  std::vector<const gchar*> argv{FOCUSMETER_PATH};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  g_autoptr(GError) err = nullptr;
  g_autoptr(GSubprocess) proc = g_subprocess_launcher_spawnv(launcher, argv.data(), &err);
  RunResult r;
  if (!proc) {
    r.err = err->message;
    return r;
  }
  g_autofree gchar* out = nullptr;
  g_autofree gchar* errs = nullptr;
  g_subprocess_communicate_utf8(proc, nullptr, nullptr, &out, &errs, &err);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc) : -1;
  r.out = out ? out : "";
  r.err = errs ? errs : "";
  return r;
}

class ScanIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_autofree gchar* dir = g_dir_make_tmp("focusmeter-scan-test-XXXXXX", nullptr);
    tmp_ = dir;
    pw_file_ = tmp_ + "/scanner.pw";
    other_pw_file_ = tmp_ + "/other.pw";
    g_file_set_contents(pw_file_.c_str(), (kPassword + "\n").c_str(), -1, nullptr);
    g_file_set_contents(other_pw_file_.c_str(), (kOtherPassword + "\n").c_str(), -1, nullptr);
    const std::vector<std::string> auth{"--user", "admin", "--password-file", pw_file_};
    auto with_auth = [&](std::vector<std::string> a) {
      a.insert(a.end(), auth.begin(), auth.end());
      return a;
    };
    cameras_ = {
        {10, {}, "ok", "CLEAR", "hikvision"},
        {11, with_auth({"--blur", "4"}), "ok", "BLURRY", "hikvision"},
        {12, with_auth({"--path", "/cam/realmonitor"}), "ok", "CLEAR", "dahua"},
        {13, {"--user", "admin", "--password-file", other_pw_file_}, "auth_failed", "", ""},
        {14, {"--mode", "garbage"}, "stream_error", "", ""},
        {15, {"--mode", "silent"}, "timeout", "", ""},
        {16, with_auth({"--mode", "audio"}), "stream_error", "", "hikvision"},
        {17, with_auth({"--path", "/axis-media/media.amp"}), "ok", "CLEAR", "axis"},
        // Answers 401 to every path before authentication, 404 after: auto
        // must not take the 401 for a route that exists.
        {18, with_auth({"--path", "/no/known/brand"}), "not_found", "", ""},
        {19, with_auth({"--path", "/CH001", "--blur", "4"}), "ok", "BLURRY", "3xlogic"},
        {20, with_auth({"--basic"}), "ok", "CLEAR", "hikvision"},  // Basic instead of digest
    };
    // A random block, so that parallel test runs and other engineers'
    // servers on loopback do not collide; retried on a bind failure.
    for (int attempt = 0; attempt < 5 && !started_; ++attempt) {
      block_ = "127." + std::to_string(g_random_int_range(64, 255)) + "." + std::to_string(g_random_int_range(0, 256));
      started_ = start_cameras();
      if (!started_) stop_cameras();
    }
  }

  static void TearDownTestSuite() {
    stop_cameras();
    // Leave the files for inspection when a test failed.
    if (::testing::UnitTest::GetInstance()->Passed()) remove_tree(tmp_);
  }

  static void remove_tree(const std::string& path) {
    if (g_file_test(path.c_str(), G_FILE_TEST_IS_DIR)) {
      g_autoptr(GDir) d = g_dir_open(path.c_str(), 0, nullptr);
      while (const char* n = d ? g_dir_read_name(d) : nullptr) remove_tree(path + "/" + n);
      g_rmdir(path.c_str());
    } else {
      g_remove(path.c_str());
    }
  }

  static std::string address(int octet) { return block_ + "." + std::to_string(octet); }

  static bool start_cameras() {
    for (const Camera& c : cameras_) {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
          static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE));
      std::vector<std::string> args{FAKECAM_PATH, "--address", address(c.last_octet), "--port", std::to_string(port_)};
      args.insert(args.end(), c.args.begin(), c.args.end());
      std::vector<const gchar*> argv;
      for (const auto& a : args) argv.push_back(a.c_str());
      argv.push_back(nullptr);
      GSubprocess* proc = g_subprocess_launcher_spawnv(launcher, argv.data(), nullptr);
      if (!proc) return false;
      procs_.push_back(proc);
      // "READY <address> <port>", or EOF when it could not listen.
      g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(proc));
      g_autofree gchar* line = g_data_input_stream_read_line(in, nullptr, nullptr, nullptr);
      int port = 0;
      if (!line || std::sscanf(line, "READY %*s %d", &port) != 1) return false;
      if (port_ == 0) port_ = port;
    }
    return true;
  }

  static void stop_cameras() {
    for (GSubprocess* p : procs_) {
      g_subprocess_send_signal(p, SIGTERM);
      g_subprocess_wait(p, nullptr, nullptr);
      g_object_unref(p);
    }
    procs_.clear();
    port_ = 0;
  }

  static void expect_no_password(const std::string& text, const std::string& where) {
    EXPECT_EQ(text.find(kPassword), std::string::npos) << "password in " << where;
    EXPECT_EQ(text.find(kOtherPassword), std::string::npos) << "other password in " << where;
  }

  std::vector<std::string> base_args() const {
    return {"scan",
            "--user",
            "admin",
            "--port",
            std::to_string(port_),
            "--model",
            std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json"};
  }

  static inline std::string tmp_, pw_file_, other_pw_file_, block_;
  static inline std::vector<Camera> cameras_;
  static inline std::vector<GSubprocess*> procs_;
  static inline int port_ = 0;
  static inline bool started_ = false;
};

TEST_F(ScanIntegration, RangeScanGivesEveryStatusWithinTheBound) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  auto args = base_args();
  const std::string report = tmp_ + "/range.json";
  args.insert(args.end(), {block_ + ".0/24", "--format", "json", "--output", report, "--snapshots", tmp_ + "/snaps"});
  const RunResult run = run_focusmeter(args, {{"FOCUSMETER_PASSWORD", kPassword}});
  SCOPED_TRACE(run.err);

  EXPECT_EQ(run.status, 1) << "a BLURRY camera means exit status 1";
  EXPECT_LE(run.seconds, 10.0) << "a /24 with a handful of cameras must take at most 10 s";
  const std::string text = read_text(report);
  const auto doc = nlohmann::json::parse(text);
  std::map<std::string, nlohmann::json> by_host;
  for (const auto& r : doc["results"]) by_host[r["host"].get<std::string>()] = r;
  EXPECT_EQ(by_host.size(), cameras_.size()) << "only the live addresses are listed";
  for (const Camera& c : cameras_) {
    SCOPED_TRACE(address(c.last_octet));
    ASSERT_TRUE(by_host.count(address(c.last_octet)));
    const auto& r = by_host[address(c.last_octet)];
    EXPECT_EQ(r["status"], c.expect_status) << r.dump();
    if (c.expect_verdict.empty()) {
      EXPECT_FALSE(r.contains("verdict") && !r["verdict"].is_null()) << r.dump();
      EXPECT_FALSE(r.value("reason", "").empty()) << "a camera not checked says why";
    } else {
      EXPECT_EQ(r["verdict"], c.expect_verdict) << r.dump();
      EXPECT_EQ(r["width"], 640);
      EXPECT_EQ(r["height"], 480);
      EXPECT_GT(r["features"]["laplacian_variance"].get<double>(), 0);
      EXPECT_TRUE(g_file_test(r["snapshot"].get<std::string>().c_str(), G_FILE_TEST_IS_REGULAR));
    }
    if (!c.expect_brand.empty()) {
      EXPECT_EQ(r["brand"], c.expect_brand) << r.dump();
    }
    if (c.expect_status == "ok") {
      EXPECT_EQ(r["url"].get<std::string>().rfind("rtsp://admin:***@" + address(c.last_octet), 0), 0u) << r.dump();
    }
  }
  EXPECT_NE(by_host[address(14)]["reason"].get<std::string>().find("not an RTSP answer"), std::string::npos);
  EXPECT_NE(by_host[address(16)]["reason"].get<std::string>().find("no video"), std::string::npos);
  EXPECT_NE(by_host[address(13)]["reason"].get<std::string>().find("401"), std::string::npos);
  EXPECT_EQ(doc["summary"]["ok"], 6);
  EXPECT_EQ(doc["summary"]["blurry"], 2);
  EXPECT_NE(run.err.find("243 unreachable addresses"), std::string::npos);

  expect_no_password(run.out, "stdout");
  expect_no_password(run.err, "stderr");
  expect_no_password(text, "the JSON report");
}

TEST_F(ScanIntegration, CameraListWithOwnCredentialsHtmlAndDebugLogs) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  const std::string list = tmp_ + "/cameras.json";
  const nlohmann::json cams = {
      {"cameras",
       {{{"name", "door"}, {"host", address(13)}, {"user", "admin"}, {"password_file", other_pw_file_}},
        {{"name", "yard"}, {"url", "rtsp://" + address(10) + ":" + std::to_string(port_) + "/Streaming/Channels/101"}},
        {{"name", "gate"}, {"host", address(19)}, {"brand", "3xlogic"}},
        {{"name", "basic"}, {"host", address(20)}},
        {{"name", "spare"}, {"host", address(200)}}}}};
  std::ofstream(list) << cams.dump();
  auto args = base_args();
  const std::string report = tmp_ + "/cameras.html";
  args.insert(args.end(), {"--cameras", list, "--format", "html", "--output", report, "--timeout", "3"});
  // rtspsrc and the RTSP connection at full debug: the logs must not carry
  // the password either (it is set as a property, never in the URL).
  const RunResult run = run_focusmeter(args, {{"FOCUSMETER_PASSWORD", kPassword}, {"GST_DEBUG", "*rtsp*:6"}});
  SCOPED_TRACE(run.err.substr(0, 2000));
  EXPECT_EQ(run.status, 1);
  const std::string html = read_text(report);
  EXPECT_NE(html.find(address(13)), std::string::npos);
  EXPECT_NE(html.find("BLURRY"), std::string::npos);
  EXPECT_NE(html.find("unreachable"), std::string::npos) << "a listed camera that is down is reported";
  EXPECT_GT(run.err.size(), 1000u) << "the debug log ran";
  expect_no_password(run.out, "stdout");
  expect_no_password(run.err, "stderr with GST_DEBUG");
  expect_no_password(html, "the HTML report");
  // Basic authentication sends base64("admin:password"): not in the logs either.
  g_autofree gchar* basic =
      g_base64_encode(reinterpret_cast<const guchar*>(("admin:" + kPassword).c_str()), kPassword.size() + 6);
  EXPECT_EQ(run.err.find(basic), std::string::npos) << "Basic credentials in the debug log";

  // The same list as JSON lines: per-camera credentials made "door" work.
  auto jargs = base_args();
  jargs.insert(jargs.end(), {"--cameras", list, "--format", "jsonl", "--timeout", "3"});
  const RunResult j = run_focusmeter(jargs, {{"FOCUSMETER_PASSWORD", kPassword}});
  std::map<std::string, nlohmann::json> by_target;
  std::istringstream lines(j.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) {
      const auto r = nlohmann::json::parse(line);
      by_target[r["target"].get<std::string>()] = r;
    }
  EXPECT_EQ(by_target["door"]["status"], "ok") << j.out;
  EXPECT_EQ(by_target["yard"]["verdict"], "CLEAR") << j.out;
  EXPECT_EQ(by_target["gate"]["verdict"], "BLURRY") << j.out;
  EXPECT_EQ(by_target["gate"]["brand"], "3xlogic") << j.out;
  EXPECT_EQ(by_target["basic"]["verdict"], "CLEAR") << j.out;
  EXPECT_EQ(by_target["spare"]["status"], "unreachable") << j.out;
  expect_no_password(j.out + j.err, "jsonl run");
}

// Parses jsonl output into results keyed by host.
std::map<std::string, nlohmann::json> jsonl_by_host(const std::string& out) {
  std::map<std::string, nlohmann::json> by_host;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) {
      const auto r = nlohmann::json::parse(line);
      by_host[r["host"].get<std::string>()] = r;
    }
  return by_host;
}

TEST_F(ScanIntegration, UrlTemplateTargetsFileAndNamedBrand) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  const std::string targets = tmp_ + "/targets.txt";
  std::ofstream(targets) << "# the odd one\n" << address(18) << "   # custom path\n";
  auto args = base_args();
  args.insert(args.end(),
              {"--targets", targets, "--url-template", "rtsp://{host}:{port}/no/known/brand", "--format", "jsonl"});
  const RunResult custom = run_focusmeter(args, {{"FOCUSMETER_PASSWORD", kPassword}});
  auto by_host = jsonl_by_host(custom.out);
  EXPECT_EQ(custom.status, 0) << custom.err;
  EXPECT_EQ(by_host[address(18)]["status"], "ok") << custom.out;
  EXPECT_EQ(by_host[address(18)]["brand"], "custom") << custom.out;

  auto named = base_args();
  named.insert(named.end(), {"--brand", "dahua", address(17), address(12), "--format", "jsonl"});
  const RunResult brand = run_focusmeter(named, {{"FOCUSMETER_PASSWORD", kPassword}});
  by_host = jsonl_by_host(brand.out);
  EXPECT_EQ(brand.status, 2) << brand.err;
  EXPECT_EQ(by_host[address(17)]["status"], "not_found") << brand.out;
  EXPECT_EQ(by_host[address(12)]["status"], "ok") << brand.out;
  EXPECT_EQ(by_host[address(12)]["brand"], "dahua") << brand.out;

  // No credentials at all: a camera that needs them says so.
  auto anonymous =
      std::vector<std::string>{"scan", "--port", std::to_string(port_), "--no-model", address(12), "--format", "jsonl"};
  const RunResult anon = run_focusmeter(anonymous);
  by_host = jsonl_by_host(anon.out);
  EXPECT_EQ(by_host[address(12)]["status"], "auth_failed") << anon.out;
  EXPECT_NE(by_host[address(12)]["reason"].get<std::string>().find("requires credentials"), std::string::npos);
}

TEST_F(ScanIntegration, AllListsUnreachableAndExitStatusTwo) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  auto args = base_args();
  args.insert(args.end(), {address(200) + "-202", "--all", "--format", "csv"});
  const RunResult run = run_focusmeter(args);
  EXPECT_EQ(run.status, 2) << run.err;
  std::size_t rows = 0;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) rows += line.find("unreachable") != std::string::npos;
  EXPECT_EQ(rows, 3u) << run.out;
}

// A range where nothing answers (a wrong --port looks just like this) used
// to exit 0, "all clear", with no camera listed.
TEST_F(ScanIntegration, NothingAnsweringIsNotAllClear) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  auto args = base_args();
  args.insert(args.end(), {address(200) + "-202", "--format", "json", "--probe-timeout", "0.5"});
  const RunResult run = run_focusmeter(args);
  EXPECT_EQ(run.status, 2) << run.err;
  const auto rep = nlohmann::json::parse(run.out);
  EXPECT_TRUE(rep["results"].empty()) << run.out;
  EXPECT_EQ(rep["summary"]["exit_status"], 2) << run.out;
  EXPECT_NE(run.err.find("3 unreachable addresses"), std::string::npos) << run.err;
}

TEST_F(ScanIntegration, HelpNamesTheSubcommand) {
  const RunResult run = run_focusmeter({"scan", "--help"});
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.out.find("focusmeter scan [OPTION"), std::string::npos) << run.out;
}

// The scan scores with its --model alone, exactly as the element does,
// whatever $FOCUSMETER_MODEL (the element's default) is: broken, or a valid
// model that does not read blur_effect, the feature the scan's model needs.
TEST_F(ScanIntegration, ModelOnAnotherFeatureIgnoresTheDefaultModel) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  const std::string bad_model = tmp_ + "/not-a-model.json";
  ASSERT_TRUE(g_file_set_contents(bad_model.c_str(), "{ not a model", -1, nullptr));
  const std::string data = FOCUSMETER_TEST_DATA;
  for (const std::string& default_model : {bad_model, data + "/models/scan-blur-model.json"}) {
    SCOPED_TRACE("FOCUSMETER_MODEL=" + default_model);
    const std::vector<std::string> args{"scan",
                                        "--user",
                                        "admin",
                                        "--port",
                                        std::to_string(port_),
                                        "--model",
                                        data + "/models/scan-blur-effect-model.json",
                                        "--format",
                                        "jsonl",
                                        address(10),
                                        address(11)};
    const RunResult run =
        run_focusmeter(args, {{"FOCUSMETER_PASSWORD", kPassword}, {"FOCUSMETER_MODEL", default_model}});
    SCOPED_TRACE(run.err);
    EXPECT_EQ(run.status, 1) << run.out;  // one BLURRY camera
    auto by_host = jsonl_by_host(run.out);
    for (const auto& [octet, verdict] : {std::pair<int, const char*>{10, "CLEAR"}, {11, "BLURRY"}}) {
      const auto& r = by_host[address(octet)];
      EXPECT_EQ(r["status"], "ok") << r.dump();
      EXPECT_EQ(r["verdict"], verdict) << r.dump();
      EXPECT_TRUE(r["features"].contains("blur_effect")) << r.dump();
      EXPECT_TRUE(r["features"].contains("texture")) << r.dump();
    }
  }
}

// Writes a flat grey PNG (nothing in focus or out of it).
bool write_flat_png(const std::string& path) {
  gst_init(nullptr, nullptr);
  const std::string desc =
      "videotestsrc pattern=solid-color foreground-color=0xff808080 num-buffers=1 ! "
      "video/x-raw,width=320,height=240 ! videoconvert ! pngenc ! filesink location=\"" +
      path + "\"";
  g_autoptr(GstElement) pipeline = gst_parse_launch(desc.c_str(), nullptr);
  if (!pipeline) return false;
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
}

// A camera looking at a flat wall: judge() gives "no evidence" (0.5) and the
// report says why rather than passing it off as a verdict.
TEST_F(ScanIntegration, FlatSceneIsReportedAsTooLittleTexture) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  const std::string flat = tmp_ + "/flat.png";
  ASSERT_TRUE(write_flat_png(flat));
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE));
  const std::string host = address(40), port = std::to_string(port_);
  const char* argv[] = {FAKECAM_PATH, "--address", host.c_str(), "--port",
                        port.c_str(), "--image",   flat.c_str(), nullptr};
  g_autoptr(GSubprocess) cam = g_subprocess_launcher_spawnv(launcher, argv, nullptr);
  ASSERT_TRUE(cam);
  g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(cam));
  g_autofree gchar* line = g_data_input_stream_read_line(in, nullptr, nullptr, nullptr);
  const bool ready = line && g_str_has_prefix(line, "READY");
  if (ready) {
    auto args = base_args();
    args.insert(args.end(), {host, "--format", "jsonl"});
    const RunResult run = run_focusmeter(args);
    auto by_host = jsonl_by_host(run.out);
    const auto& r = by_host[host];
    EXPECT_EQ(r["status"], "ok") << run.out << run.err;
    EXPECT_DOUBLE_EQ(r.value("score", -1.0), 0.5) << r.dump();
    EXPECT_NE(r.value("reason", "").find("too little texture to judge focus"), std::string::npos) << r.dump();
  }
  g_subprocess_send_signal(cam, SIGTERM);
  g_subprocess_wait(cam, nullptr, nullptr);
  ASSERT_TRUE(ready) << "the flat camera did not start";
}

TEST_F(ScanIntegration, PasswordIsNeverAcceptedOnTheCommandLine) {
  const RunResult run = run_focusmeter({"scan", "rtsp://admin:" + kPassword + "@" + address(10) + "/x"});
  EXPECT_EQ(run.status, 64);
  EXPECT_NE(run.err.find("--password-file"), std::string::npos) << run.err;
  expect_no_password(run.out + run.err, "usage error");

  const RunResult bad = run_focusmeter({"scan", "10.0.0.1-10.0.0.999"});
  EXPECT_EQ(bad.status, 64);
  EXPECT_NE(bad.err.find("10.0.0.1-10.0.0.999"), std::string::npos) << bad.err;
}

}  // namespace
