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
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../common/fake_farm.h"
#include "../common/focusmeter_run.h"
#include "../common/jsonl_results.h"
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

using focusmeter_test::run_focusmeter;
using focusmeter_test::RunResult;

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
        // Basic instead of digest: the password is not sent in clear unless allowed.
        {20, with_auth({"--basic"}), "auth_failed", "", ""},
    };
    // A random block (the farm's), so that parallel test runs and other
    // engineers' servers on loopback do not collide.
    std::vector<focusmeter_test::FakeCamera> farm_cameras;
    for (const Camera& c : cameras_) farm_cameras.push_back({c.last_octet, c.args});
    farm_ = std::make_unique<focusmeter_test::FakeFarm>();
    started_ = farm_->start(farm_cameras);
    block_ = farm_->block();
    port_ = farm_->port();
  }

  static void TearDownTestSuite() {
    farm_.reset();
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
  static inline std::unique_ptr<focusmeter_test::FakeFarm> farm_;
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
  EXPECT_NE(by_host[address(20)]["reason"].get<std::string>().find("refused to send the password in clear"),
            std::string::npos);
  EXPECT_EQ(doc["summary"]["ok"], 5);
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
        {{"name", "basic"}, {"host", address(20)}, {"allow_basic_auth", true}},
        {{"name", "spare"}, {"host", address(200)}}}}};
  std::ofstream(list) << cams.dump();
  auto args = base_args();
  const std::string report = tmp_ + "/cameras.html";
  args.insert(args.end(), {"--cameras", list, "--format", "html", "--output", report, "--timeout", "15"});
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
  // Every camera here answers or refuses at once, so a generous --timeout
  // costs nothing and keeps a loaded test machine from timing one out.
  auto jargs = base_args();
  jargs.insert(jargs.end(), {"--cameras", list, "--format", "jsonl", "--timeout", "15"});
  const RunResult j = run_focusmeter(jargs, {{"FOCUSMETER_PASSWORD", kPassword}});
  auto by_target = focusmeter_test::jsonl_by(j.out, "target");
  EXPECT_EQ(by_target["door"]["status"], "ok") << j.out;
  EXPECT_EQ(by_target["yard"]["verdict"], "CLEAR") << j.out;
  EXPECT_EQ(by_target["gate"]["verdict"], "BLURRY") << j.out;
  EXPECT_EQ(by_target["gate"]["brand"], "3xlogic") << j.out;
  EXPECT_EQ(by_target["basic"]["verdict"], "CLEAR") << j.out;
  EXPECT_EQ(by_target["spare"]["status"], "unreachable") << j.out;
  expect_no_password(j.out + j.err, "jsonl run");
}

using focusmeter_test::jsonl_by_host;

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
  // With channels, a dead address still counts once.
  args.insert(args.end(), {"--channels", "1-4"});
  const RunResult channels = run_focusmeter(args);
  EXPECT_NE(channels.err.find("3 unreachable addresses"), std::string::npos) << channels.err;
}

TEST_F(ScanIntegration, HelpNamesTheSubcommand) {
  const RunResult run = run_focusmeter({"scan", "--help"});
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.out.find("focusmeter scan [OPTION"), std::string::npos) << run.out;
}

// A score that is not finite (element testing aid: NaN features) gives the
// camera no verdict: a stream_error saying why, exit 2, never CLEAR.
TEST_F(ScanIntegration, NonFiniteScoreIsNoVerdict) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  const std::string data = FOCUSMETER_TEST_DATA;
  const RunResult run = run_focusmeter({"scan", "--user", "admin", "--port", std::to_string(port_), "--model",
                                        data + "/models/scan-blur-model.json", "--format", "jsonl", address(10)},
                                       {{"FOCUSMETER_PASSWORD", kPassword}, {"FOCUSMETER_ELEMENT_TEST_FAULT", "nan"}});
  EXPECT_EQ(run.status, 2) << run.out << run.err;
  auto by_host = jsonl_by_host(run.out);
  const auto& r = by_host[address(10)];
  EXPECT_EQ(r["status"], "stream_error") << r.dump();
  EXPECT_TRUE(r["verdict"].is_null()) << r.dump();
  EXPECT_NE(r.value("reason", "").find("no verdict"), std::string::npos) << r.dump();
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
TEST_F(ScanIntegration, FlatSceneIsUnknownNotClear) {
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
    // Analysed, but nothing to judge: UNKNOWN with the cause, no score, and
    // exit status 2 (never a CLEAR camera).
    EXPECT_EQ(r["status"], "ok") << run.out << run.err;
    EXPECT_EQ(r["verdict"], "UNKNOWN") << r.dump();
    EXPECT_TRUE(r["score"].is_null()) << r.dump();
    EXPECT_EQ(r["no_verdict"], "no_detail") << r.dump();
    EXPECT_NE(r.value("reason", "").find("no detail to judge focus: flat picture"), std::string::npos) << r.dump();
    EXPECT_EQ(run.status, 2) << run.err;
  }
  g_subprocess_send_signal(cam, SIGTERM);
  g_subprocess_wait(cam, nullptr, nullptr);
  ASSERT_TRUE(ready) << "the flat camera did not start";
}

// Short options mean the same in every subcommand: -t is the threshold
// (scan's --timeout has no short form), checked by the element's rule.
TEST(ScanOptions, ShortTIsTheThreshold) {
  const RunResult scan = run_focusmeter({"scan", "-t", "5", "127.0.0.1"});
  EXPECT_EQ(scan.status, 64);
  EXPECT_NE(scan.err.find("--threshold must be in [0, 1], or -1 for the model's own"), std::string::npos) << scan.err;
  const RunResult train = run_focusmeter({"train", "-t", "5", "--data", "x", "--output", "y"});
  EXPECT_EQ(train.status, 64);
  EXPECT_NE(train.err.find("--threshold must be in [0, 1], or -1 for the model's own"), std::string::npos) << train.err;
  // --report and --features of train lost -r and -f (check's --recursive and --format).
  EXPECT_EQ(run_focusmeter({"train", "-r", "dir", "--data", "x", "--output", "y"}).status, 64);
}

// --blurry-share is check's option on scan too (focusmeter/parameters.h):
// the same range check, and the same Aggregate deciding the camera. A share
// of 0 calls BLURRY any camera with judged time at all, so the sharp camera
// the range scan calls CLEAR reads BLURRY: the option reaches the decision.
TEST_F(ScanIntegration, BlurryShareIsTheOneAggregateCut) {
  const RunResult bad = run_focusmeter({"scan", "--blurry-share", "1.5", "127.0.0.1"});
  EXPECT_EQ(bad.status, 64);
  EXPECT_NE(bad.err.find("--blurry-share must be in [0, 1]"), std::string::npos) << bad.err;

  ASSERT_TRUE(started_) << "could not start the fake cameras";
  auto args = base_args();
  args.insert(args.end(), {"--frames", "2", "--format", "jsonl", address(10)});
  const RunResult plain = run_focusmeter(args);
  EXPECT_EQ(jsonl_by_host(plain.out)[address(10)]["verdict"], "CLEAR") << plain.out << plain.err;
  args.insert(args.end(), {"--blurry-share", "0"});
  const RunResult any = run_focusmeter(args);
  const auto r = jsonl_by_host(any.out)[address(10)];
  EXPECT_EQ(r["status"], "ok") << any.out << any.err;
  EXPECT_EQ(r["verdict"], "BLURRY") << r.dump();
  EXPECT_EQ(any.status, 1) << any.err;
}

// One more fake camera for a single test, stopped when it goes out of scope.
class ExtraCamera {
 public:
  // Starts fakecam with `args` (besides --address/--port 0); ready() tells.
  explicit ExtraCamera(const std::string& address, const std::vector<std::string>& args) {
    std::vector<std::string> all{"--address", address, "--port", "0"};
    all.insert(all.end(), args.begin(), args.end());
    proc_ = focusmeter_test::spawn_fakecam(all, ports_);
  }
  ~ExtraCamera() { focusmeter_test::stop_fakecam(proc_); }
  ExtraCamera(const ExtraCamera&) = delete;
  ExtraCamera& operator=(const ExtraCamera&) = delete;
  bool ready() const { return proc_ != nullptr; }
  int port() const { return ports_.rtsp; }
  int onvif_port() const { return ports_.onvif; }          // with --onvif-port
  int discovery_port() const { return ports_.discovery; }  // with --discovery-port

 private:
  GSubprocess* proc_ = nullptr;
  focusmeter_test::FakecamPorts ports_;
};

// A fake camera showing the astronaut, in focus or defocused by `blur`,
// and the verdict scan must give it.
struct OsdCase {
  int octet;
  std::vector<std::string> blur;
  const char* verdict;
};
const std::vector<std::string> kDiskBlur{"--blur", "4", "--defocus", "disk"};

// Starts the case's camera at `host` with `cam_args` besides the picture
// and blur, scans it alone with `scan_args` besides the port and format,
// and returns its JSON result (with the run's stdout and stderr under
// "test_log" when the run gave none).
nlohmann::json scan_astronaut(const std::string& host, const OsdCase& c, std::vector<std::string> cam_args,
                              const std::vector<std::string>& scan_args) {
  cam_args.insert(cam_args.begin(),
                  {"--image", std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/astronaut_641x479.png"});
  cam_args.insert(cam_args.end(), c.blur.begin(), c.blur.end());
  ExtraCamera cam(host, cam_args);
  if (!cam.ready()) return {{"test_log", "the fake camera did not start"}};
  std::vector<std::string> args{"scan", "--port", std::to_string(cam.port()), host, "--format", "jsonl"};
  args.insert(args.end(), scan_args.begin(), scan_args.end());
  const RunResult run = run_focusmeter(args);
  nlohmann::json r = jsonl_by_host(run.out)[host];
  if (r.is_null()) r = {{"test_log", run.out + run.err}};
  return r;
}

// Issue 12's case end to end: a defocused camera that burns in a crisp
// date and name (fakecam --osd) reads BLURRY through scan with the
// compiled-in model, its text tiles left out of the vote (the map's
// `overlay`); the same camera in focus, with the same text, reads CLEAR.
TEST_F(ScanIntegration, DefocusedCameraWithOsdIsBlurry) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  for (const OsdCase& c : {OsdCase{48, kDiskBlur, "BLURRY"}, OsdCase{49, {}, "CLEAR"}}) {
    const auto r = scan_astronaut(address(c.octet), c, {"--osd"}, {});
    EXPECT_EQ(r["status"], "ok") << r.dump();
    EXPECT_EQ(r["verdict"], c.verdict) << r.dump();
    if (std::string(c.verdict) == "BLURRY") {
      ASSERT_TRUE(r["map"].is_object()) << r.dump();
      int overlays = 0;
      for (const auto& o : r["map"]["overlay"]) overlays += o.get<bool>() ? 1 : 0;
      EXPECT_GT(overlays, 0) << r["map"].dump();
    }
  }
}

// The stream overlay rule end to end (docs/focus-map.md, "Overlays in
// streams"): a camera whose scene pans under a mid-grey OSD (fakecam
// --motion --osd --osd-color grey; one frame cannot tell grey text from
// scene detail, so only the rule can find it). The scan judges 10
// pictures of one GOP (--gop 4): x264 keeps refining the still tiles after
// the keyframe, so they are alike, not bit-identical, from picture to
// picture. The date's tiles and the name's corner tile are reported as
// overlay and the defocused camera is BLURRY; the sharp one with the same
// OSD and motion stays CLEAR.
TEST_F(ScanIntegration, MovingSceneOsdTilesLeaveTheVote) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  for (const OsdCase& c : {OsdCase{50, kDiskBlur, "BLURRY"}, OsdCase{51, {}, "CLEAR"}}) {
    const auto r = scan_astronaut(address(c.octet), c, {"--osd", "--osd-color", "grey", "--motion", "--gop", "4"},
                                  {"--frames", "10", "--timeout", "20"});
    ASSERT_EQ(r["status"], "ok") << r.dump();
    EXPECT_EQ(r["verdict"], c.verdict) << r.dump();
    if (std::string(c.verdict) != "BLURRY") continue;
    const auto& map = r["map"];
    ASSERT_TRUE(map.is_object()) << r.dump();
    const int cols = map["cols"], rows = map["rows"];
    // The date (top left, the first three tiles of the top row) and the
    // camera's name (the bottom right corner tile): with the stream rule off
    // none of these four is ever flagged (the per-frame rule passes grey
    // text; it flags the two tiles left of the corner). With the rule all
    // four are, in every run (stress counts in docs/focus-map.md).
    const int last = rows * cols - 1;
    for (int t : {0, 1, 2, last}) EXPECT_TRUE(map["overlay"][t].get<bool>()) << "tile " << t << ": " << map.dump();
  }
}

// An NVR: --channels 1-4 gives one row per channel, each with its own
// verdict (channels 2 and 4 are out of focus), identified by host+channel.
TEST_F(ScanIntegration, NvrChannelsEachGetTheirRow) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  ExtraCamera nvr(address(41), {"--channels", "4", "--blurred-channels", "2,4", "--blur", "4", "--user", "admin",
                                "--password-file", pw_file_});
  ASSERT_TRUE(nvr.ready());
  const std::vector<std::string> args{"scan",
                                      "--user",
                                      "admin",
                                      "--port",
                                      std::to_string(nvr.port()),
                                      "--model",
                                      std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json",
                                      "--channels",
                                      "1-4",
                                      address(41),
                                      "--format",
                                      "jsonl"};
  const RunResult run = run_focusmeter(args, {{"FOCUSMETER_PASSWORD", kPassword}});
  SCOPED_TRACE(run.err);
  EXPECT_EQ(run.status, 1) << run.out;
  std::map<int, nlohmann::json> by_channel;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) {
      const auto r = nlohmann::json::parse(line);
      EXPECT_EQ(r["host"], address(41));
      by_channel[r.value("channel", 0)] = r;
    }
  ASSERT_EQ(by_channel.size(), 4u) << run.out;
  for (int ch = 1; ch <= 4; ++ch) {
    const auto& r = by_channel[ch];
    EXPECT_EQ(r["status"], "ok") << r.dump();
    EXPECT_EQ(r["verdict"], ch % 2 == 0 ? "BLURRY" : "CLEAR") << r.dump();
    EXPECT_NE(r["url"].get<std::string>().find("/Streaming/Channels/" + std::to_string(ch) + "01"), std::string::npos)
        << r.dump();
  }
  // A template with {channel}: the same streams, named by the user.
  auto custom = args;
  custom.insert(custom.end(), {"--url-template", "rtsp://{host}:{port}/Streaming/Channels/{channel}01"});
  const RunResult templ = run_focusmeter(custom, {{"FOCUSMETER_PASSWORD", kPassword}});
  EXPECT_EQ(templ.status, 1) << templ.out << templ.err;
  EXPECT_NE(templ.out.find("\"channel\":3"), std::string::npos) << templ.out;
  expect_no_password(run.out + run.err + templ.out + templ.err, "the NVR scan");
}

// A peer that offers only Basic auth and records every request it gets: a
// hostile or old device fishing for the fleet password. Answers 401 to all.
class BasicOnlyPeer {
 public:
  explicit BasicOnlyPeer(const std::string& address) {
    g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address.c_str());
    g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(inet, 0);
    socket_ = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
    if (!socket_ || !g_socket_bind(socket_, sa, TRUE, nullptr) || !g_socket_listen(socket_, nullptr)) return;
    g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket_, nullptr);
    port_ = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_socket_set_timeout(socket_, 1);
    thread_ = std::thread([this] { serve(); });
  }
  ~BasicOnlyPeer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (socket_) g_object_unref(socket_);
  }
  BasicOnlyPeer(const BasicOnlyPeer&) = delete;
  BasicOnlyPeer& operator=(const BasicOnlyPeer&) = delete;
  int port() const { return port_; }
  std::string received() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

 private:
  void serve() {
    while (!stop_) {
      GSocket* client = g_socket_accept(socket_, nullptr, nullptr);
      if (!client) continue;  // the 1 s timeout: look at stop_ again
      g_socket_set_timeout(client, 2);
      std::string pending;
      char buf[4096];
      for (;;) {
        const gssize n = g_socket_receive(client, buf, sizeof buf, nullptr, nullptr);
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        {
          std::lock_guard<std::mutex> lock(mutex_);
          received_.append(buf, static_cast<std::size_t>(n));
        }
        for (std::size_t end; (end = pending.find("\r\n\r\n")) != std::string::npos;) {
          const std::string request = pending.substr(0, end);
          pending.erase(0, end + 4);
          std::string cseq = "1";
          if (const auto at = request.find("CSeq:"); at != std::string::npos)
            cseq = request.substr(at + 5, request.find("\r\n", at) - at - 5);
          const std::string reply = "RTSP/1.0 401 Unauthorized\r\nCSeq:" + cseq +
                                    "\r\nWWW-Authenticate: Basic realm=\"camera\"\r\nContent-Length: 0\r\n\r\n";
          g_socket_send(client, reply.data(), reply.size(), nullptr, nullptr);
        }
      }
      g_socket_close(client, nullptr);
      g_object_unref(client);
    }
  }
  GSocket* socket_ = nullptr;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string received_;
};

TEST_F(ScanIntegration, BasicOnlyPeerNeverGetsThePasswordUnlessAllowed) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  BasicOnlyPeer peer(address(42));
  ASSERT_GT(peer.port(), 0);
  g_autofree gchar* basic =
      g_base64_encode(reinterpret_cast<const guchar*>(("admin:" + kPassword).c_str()), kPassword.size() + 6);
  const std::vector<std::string> args{"scan",       "--user",   "admin", "--port",   std::to_string(peer.port()),
                                      "--no-model", "--format", "jsonl", address(42)};
  const RunResult run = run_focusmeter(args, {{"FOCUSMETER_PASSWORD", kPassword}});
  const auto by_host = jsonl_by_host(run.out);
  ASSERT_TRUE(by_host.count(address(42))) << run.out << run.err;
  const auto& r = by_host.at(address(42));
  EXPECT_EQ(r["status"], "auth_failed") << r.dump();
  EXPECT_EQ(r["reason"], "camera asks for Basic auth; refused to send the password in clear (use --allow-basic-auth)");
  const std::string seen = peer.received();
  EXPECT_NE(seen.find("DESCRIBE rtsp://"), std::string::npos) << "the peer was asked";
  EXPECT_EQ(seen.find("Authorization"), std::string::npos) << seen;
  EXPECT_EQ(seen.find(basic), std::string::npos) << seen;
  expect_no_password(run.out + run.err + seen, "the refused Basic peer");

  // Allowed: now it does get the password (which shows the peer records it).
  auto allowed = args;
  allowed.push_back("--allow-basic-auth");
  const RunResult sent = run_focusmeter(allowed, {{"FOCUSMETER_PASSWORD", kPassword}});
  EXPECT_EQ(jsonl_by_host(sent.out)[address(42)]["status"], "auth_failed") << sent.out;
  EXPECT_NE(peer.received().find("Authorization: Basic " + std::string(basic)), std::string::npos) << peer.received();
  expect_no_password(sent.out + sent.err, "the allowed Basic run's output");
}

// An ONVIF camera whose stream sits at a path no brand uses: found with no
// brand given (auto asks ONVIF first), checked, and a wrong password is
// auth_failed from the UsernameToken digest, the password printed nowhere.
TEST_F(ScanIntegration, OnvifCameraIsFoundWithNoBrandGiven) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  ExtraCamera cam(address(43), {"--path", "/vendor/stream/main", "--blur", "4", "--onvif-port", "0", "--user", "admin",
                                "--password-file", pw_file_});
  ASSERT_TRUE(cam.ready());
  ASSERT_GT(cam.onvif_port(), 0);
  const std::vector<std::string> args{"scan",
                                      "--user",
                                      "admin",
                                      "--port",
                                      std::to_string(cam.port()),
                                      "--onvif-port",
                                      std::to_string(cam.onvif_port()),
                                      "--model",
                                      std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json",
                                      "--format",
                                      "jsonl",
                                      address(43)};
  const RunResult run = run_focusmeter(args, {{"FOCUSMETER_PASSWORD", kPassword}});
  auto r = jsonl_by_host(run.out)[address(43)];
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_EQ(r["status"], "ok") << r.dump();
  EXPECT_EQ(r["verdict"], "BLURRY") << r.dump();
  EXPECT_EQ(r["brand"], "onvif") << r.dump();
  EXPECT_EQ(r["url"], "rtsp://admin:***@" + address(43) + ":" + std::to_string(cam.port()) + "/vendor/stream/main");

  // Wrong password: the device refuses the digest; nothing guessed after it.
  const RunResult wrong = run_focusmeter(args, {{"FOCUSMETER_PASSWORD", kOtherPassword}});
  r = jsonl_by_host(wrong.out)[address(43)];
  EXPECT_EQ(r["status"], "auth_failed") << r.dump();
  EXPECT_NE(r["reason"].get<std::string>().find("ONVIF credentials rejected"), std::string::npos) << r.dump();
  expect_no_password(run.out + run.err + wrong.out + wrong.err, "the ONVIF scans");

  // --brand onvif with nothing ONVIF there: says so, no path guessed.
  auto only = std::vector<std::string>{
      "scan",       "--user",   "admin", "--brand",  "onvif", "--onvif-port", std::to_string(port_),
      "--no-model", "--format", "jsonl", address(10)};
  const RunResult none = run_focusmeter(only, {{"FOCUSMETER_PASSWORD", kPassword}});
  r = jsonl_by_host(none.out)[address(10)];
  EXPECT_EQ(r["status"], "not_found") << r.dump() << none.err;
  EXPECT_NE(r["reason"].get<std::string>().find("ONVIF"), std::string::npos) << r.dump();
}

// WS-Discovery against a loopback responder (never the multicast group in
// tests): the camera list it prints is what `scan --cameras` reads.
TEST_F(ScanIntegration, DiscoverPrintsACameraListScanReads) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  ExtraCamera cam(address(44), {"--path", "/vendor/stream/main", "--onvif-port", "0", "--discovery-port", "0", "--user",
                                "admin", "--password-file", pw_file_});
  ASSERT_TRUE(cam.ready());
  ASSERT_GT(cam.discovery_port(), 0);
  const RunResult found = run_focusmeter(
      {"discover", "--probe-address", address(44) + ":" + std::to_string(cam.discovery_port()), "--timeout", "1"});
  ASSERT_EQ(found.status, 0) << found.out << found.err;
  const auto list = nlohmann::json::parse(found.out);
  ASSERT_EQ(list["cameras"].size(), 1u) << found.out;
  EXPECT_EQ(list["cameras"][0]["host"], address(44));
  EXPECT_EQ(list["cameras"][0]["brand"], "onvif");
  EXPECT_EQ(list["cameras"][0]["onvif_port"], cam.onvif_port());
  EXPECT_EQ(list["cameras"][0]["name"], "fakecam " + address(44));
  EXPECT_NE(found.err.find("1 ONVIF device answered"), std::string::npos) << found.err;

  const std::string cameras = tmp_ + "/discovered.json";
  std::ofstream(cameras) << found.out;
  const RunResult scanned =
      run_focusmeter({"scan", "--user", "admin", "--cameras", cameras, "--no-model", "--format", "jsonl"},
                     {{"FOCUSMETER_PASSWORD", kPassword}});
  const auto r = jsonl_by_host(scanned.out)[address(44)];
  EXPECT_EQ(r["status"], "ok") << scanned.out << scanned.err;
  EXPECT_EQ(r["brand"], "onvif") << r.dump();

  // Nobody answering: an empty list and exit status 2, within the wait.
  const RunResult none = run_focusmeter({"discover", "--probe-address", address(45) + ":3702", "--timeout", "0.5"});
  EXPECT_EQ(none.status, 2) << none.out << none.err;
  EXPECT_TRUE(nlohmann::json::parse(none.out)["cameras"].empty()) << none.out;
  EXPECT_LT(none.seconds, 5.0);
  EXPECT_EQ(run_focusmeter({"discover", "--probe-address", "255.255.255.255"}).status, 64);
}

// Writes a 10 s H.264 clip of a test pattern, sharp or blurred by `sigma`.
bool write_clip(const std::string& path, double sigma) {
  gst_init(nullptr, nullptr);
  const std::string blur = sigma > 0 ? "videoconvert ! gaussianblur sigma=" + std::to_string(sigma) + " ! " : "";
  const std::string desc =
      "videotestsrc pattern=smpte num-buffers=100 ! video/x-raw,width=640,height=480,framerate=10/1 ! " + blur +
      "videoconvert ! x264enc key-int-max=10 ! mp4mux ! filesink location=\"" + path + "\"";
  g_autoptr(GstElement) pipeline = gst_parse_launch(desc.c_str(), nullptr);
  if (!pipeline) return false;
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
}

// A free TCP port on `address` (bound and released: VLC cannot report one).
int free_port(const std::string& address) {
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(address.c_str());
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(inet, 0);
  g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  if (!s || !g_socket_bind(s, sa, TRUE, nullptr)) return 0;
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s, nullptr);
  return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

// VLC as a real third-party RTSP camera: `cvlc CLIP --sout '#rtp{sdp=rtsp://...}'`.
// VLC refuses to run as root, so as root it runs as `nobody` (setpriv).
class VlcCamera {
 public:
  VlcCamera(const std::string& clip, const std::string& address) {
    port_ = free_port(address);
    const std::string sout = "#rtp{sdp=rtsp://" + address + ":" + std::to_string(port_) + "/cam}";
    std::vector<std::string> args;
    if (geteuid() == 0) args = {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
    args.insert(args.end(), {"env", "HOME=/tmp", "cvlc", "-q", clip, "--loop", "--sout", sout, "--sout-keep"});
    std::vector<const gchar*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
        static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE));
    proc_ = g_subprocess_launcher_spawnv(launcher, argv.data(), nullptr);
    // Listening within 10 s, or not at all.
    for (int i = 0; proc_ && port_ > 0 && i < 100 && !listening_; ++i) {
      g_usleep(100000);
      g_autoptr(GSocketClient) client = g_socket_client_new();
      g_autoptr(GSocketConnection) c =
          g_socket_client_connect_to_host(client, address.c_str(), static_cast<guint16>(port_), nullptr, nullptr);
      listening_ = c != nullptr;
    }
  }
  ~VlcCamera() {
    if (!proc_) return;
    g_subprocess_send_signal(proc_, SIGTERM);
    g_subprocess_wait(proc_, nullptr, nullptr);
    g_object_unref(proc_);
  }
  VlcCamera(const VlcCamera&) = delete;
  VlcCamera& operator=(const VlcCamera&) = delete;
  bool ready() const { return listening_; }
  int port() const { return port_; }

 private:
  GSubprocess* proc_ = nullptr;
  int port_ = 0;
  bool listening_ = false;
};

// VLC refuses RTP over TCP: --transport auto (the default) falls back to UDP
// and says so in the reason; right verdicts.
TEST_F(ScanIntegration, VlcIsAThirdPartyCameraReachedOverUdp) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  ASSERT_TRUE(g_file_test("/usr/bin/cvlc", G_FILE_TEST_IS_EXECUTABLE))
      << "vlc-bin is not installed (make test installs it)";
  // VLC may run as nobody: a directory of its own it can read (not tmp_,
  // which holds the password files).
  g_autofree gchar* vlc_dir = g_dir_make_tmp("focusmeter-vlc-XXXXXX", nullptr);
  ASSERT_TRUE(vlc_dir);
  const std::string dir = vlc_dir;
  g_chmod(dir.c_str(), 0755);
  const std::string sharp = dir + "/sharp.mp4", blurred = dir + "/blurred.mp4";
  ASSERT_TRUE(write_clip(sharp, 0));
  ASSERT_TRUE(write_clip(blurred, 4));
  VlcCamera a(sharp, address(46)), b(blurred, address(47));
  ASSERT_TRUE(a.ready() && b.ready()) << "VLC did not start listening";
  const std::string model = std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json";
  const std::string url_a = "rtsp://" + address(46) + ":" + std::to_string(a.port()) + "/cam";
  const std::string url_b = "rtsp://" + address(47) + ":" + std::to_string(b.port()) + "/cam";
  const RunResult run = run_focusmeter({"scan", "--model", model, "--format", "jsonl", "--timeout", "8", url_a, url_b});
  auto by_host = jsonl_by_host(run.out);
  EXPECT_EQ(by_host[address(46)]["status"], "ok") << run.out << run.err;
  EXPECT_NE(by_host[address(46)]["reason"].get<std::string>().find("tried UDP"), std::string::npos) << run.out;
  EXPECT_EQ(by_host[address(46)]["verdict"], "CLEAR") << run.out;
  EXPECT_EQ(by_host[address(47)]["verdict"], "BLURRY") << run.out;
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  remove_tree(dir);
}

// Runs a command line; true when it exits 0.
bool run_ok(const std::vector<std::string>& args) {
  std::vector<const gchar*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  gint status = -1;
  if (!g_spawn_sync(
          nullptr, const_cast<gchar**>(argv.data()), nullptr,
          static_cast<GSpawnFlags>(G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL),
          nullptr, nullptr, nullptr, nullptr, &status, nullptr))
    return false;
  return g_spawn_check_wait_status(status, nullptr);
}

// The real WS-Discovery path — a Probe to 239.255.255.250:3702 — inside a
// network namespace the test creates with nothing but lo, where the fake
// camera's responder joins the group. Needs root (CI runs as root); skipped
// with a reason elsewhere. The Unicast-responder test above runs everywhere.
TEST(DiscoverNamespace, ProbeOnTheMulticastGroupInsideANamespace) {
  const std::string ns = "focusmeter-wsd-" + std::to_string(getpid());
  if (geteuid() != 0 || !run_ok({"ip", "netns", "add", ns})) GTEST_SKIP() << "no network namespace (needs root and ip)";
  struct NamespaceGuard {
    std::string name;
    ~NamespaceGuard() { run_ok({"ip", "netns", "del", name}); }
  } guard{ns};
  ASSERT_TRUE(run_ok({"ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"}));
  ASSERT_TRUE(run_ok({"ip", "netns", "exec", ns, "ip", "link", "set", "lo", "multicast", "on"}));
  ASSERT_TRUE(run_ok({"ip", "netns", "exec", ns, "ip", "route", "add", "224.0.0.0/4", "dev", "lo"}));

  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE));
  const char* cam_argv[] = {"ip",        "netns",        "exec", ns.c_str(),          FAKECAM_PATH, "--address",
                            "127.0.0.9", "--onvif-port", "0",    "--discovery-group", nullptr};
  g_autoptr(GSubprocess) cam = g_subprocess_launcher_spawnv(launcher, cam_argv, nullptr);
  ASSERT_TRUE(cam);
  g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(cam));
  g_autofree gchar* line = g_data_input_stream_read_line(in, nullptr, nullptr, nullptr);
  int rtsp = 0, onvif = 0, wsd = 0;
  const bool ready = line && std::sscanf(line, "READY %*s %d %d %d", &rtsp, &onvif, &wsd) == 3 && wsd == 3702;
  // focusmeter discover inside the namespace, on its default multicast group.
  g_autofree gchar* out = nullptr;
  g_autofree gchar* err = nullptr;
  gint status = -1;
  if (ready) {
    const char* argv[] = {"ip", "netns", "exec", ns.c_str(), FOCUSMETER_EXE, "discover", "--timeout", "1", nullptr};
    g_spawn_sync(nullptr, const_cast<gchar**>(argv), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr, &out, &err,
                 &status, nullptr);
  }
  g_subprocess_send_signal(cam, SIGTERM);
  g_subprocess_wait(cam, nullptr, nullptr);
  ASSERT_TRUE(ready) << (line ? line : "(no READY line)");
  EXPECT_TRUE(g_spawn_check_wait_status(status, nullptr)) << (out ? out : "") << (err ? err : "");
  const auto list = nlohmann::json::parse(out ? out : "{}", nullptr, false);
  ASSERT_TRUE(list.contains("cameras")) << (out ? out : "");
  ASSERT_EQ(list["cameras"].size(), 1u) << out;
  EXPECT_EQ(list["cameras"][0]["host"], "127.0.0.9");
  EXPECT_EQ(list["cameras"][0]["onvif_port"], onvif);
  EXPECT_NE(std::string(err ? err : "").find("answered on 239.255.255.250:3702"), std::string::npos) << err;
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
