// `focusmeter watch` end to end on loopback: fake cameras (tests/fakecam)
// whose picture changes while they run (driven by SIGUSR1/SIGUSR2), a
// webhook receiver and a mosquitto broker started by the test, rounds of
// `watch --once` sharing one state file, then a continuous watch for the
// metrics endpoint and a SIGKILL in the middle of a run.
#include <gtest/gtest.h>
#include <libsoup/soup.h>
#include <signal.h>

#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../common/focusmeter_run.h"
#include "../common/promtool.h"
#include "../common/refusing_port.h"
#include "loop_util.h"
#include "mosquitto_broker.h"
#include "nlohmann/json.hpp"
#include "scan/camera_identity.h"
#include "scan/shard.h"
#include "temp_dir.h"
#include "watch/state_store.h"
#include "webhook_receiver.h"

namespace fw = focusmeter::watch;
using focusmeter_test::run_focusmeter;
using focusmeter_test::RunResult;

namespace {

// Fake cameras on one random 127.x.y.0/24 block and one port, each a child
// process the test can signal.
class Farm {
 public:
  ~Farm() {
    for (GSubprocess* p : procs_) {
      g_subprocess_send_signal(p, SIGTERM);
      g_subprocess_wait(p, nullptr, nullptr);
      g_object_unref(p);
    }
  }
  bool start(const std::map<std::string, std::vector<std::string>>& cameras) {
    block_ = "127." + std::to_string(g_random_int_range(64, 255)) + "." + std::to_string(g_random_int_range(0, 256));
    int octet = 10;
    for (const auto& [name, args] : cameras) {
      const std::string address = block_ + "." + std::to_string(octet++);
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
          static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE));
      std::vector<std::string> a{FAKECAM_PATH, "--address", address, "--port", std::to_string(port_)};
      a.insert(a.end(), args.begin(), args.end());
      std::vector<const gchar*> argv;
      for (const auto& s : a) argv.push_back(s.c_str());
      argv.push_back(nullptr);
      GSubprocess* proc = g_subprocess_launcher_spawnv(launcher, argv.data(), nullptr);
      if (!proc) return false;
      procs_.push_back(proc);
      g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(proc));
      g_autofree gchar* line = g_data_input_stream_read_line(in, nullptr, nullptr, nullptr);
      int port = 0;
      if (!line || std::sscanf(line, "READY %*s %d", &port) != 1) return false;
      if (port_ == 0) port_ = port;
      by_name_[name] = proc;
      url_[name] = "rtsp://" + address + ":" + std::to_string(port_) + "/Streaming/Channels/101";
    }
    return true;
  }
  void signal(const std::string& name, int sig) { g_subprocess_send_signal(by_name_.at(name), sig); }
  const std::string& url(const std::string& name) { return url_.at(name); }

 private:
  std::string block_;
  int port_ = 0;
  std::vector<GSubprocess*> procs_;
  std::map<std::string, GSubprocess*> by_name_;
  std::map<std::string, std::string> url_;
};

// The check lines of one camera in a round's output ("... gate  CLEAR ...").
std::string line_of(const std::string& out, const std::string& name, const std::string& what = "") {
  std::size_t pos = 0;
  while ((pos = out.find("  " + name + "  ", pos)) != std::string::npos) {
    const std::size_t start = out.rfind('\n', pos) == std::string::npos ? 0 : out.rfind('\n', pos) + 1;
    const std::string line = out.substr(start, out.find('\n', pos) - start);
    if (what.empty() ? line.find("INCIDENT") == std::string::npos && line.find("reference learned") == std::string::npos
                     : line.find(what) != std::string::npos)
      return line;
    pos += name.size();
  }
  return "";
}

// A synchronous GET (libsoup, its own session); "" on any failure.
std::string http_get(const std::string& url) {
  g_autoptr(SoupSession) session = soup_session_new();
  g_autoptr(SoupMessage) msg = soup_message_new("GET", url.c_str());
  g_autoptr(GBytes) body = soup_session_send_and_read(session, msg, nullptr, nullptr);
  if (!body || soup_message_get_status(msg) != SOUP_STATUS_OK) return "";
  gsize n = 0;
  const auto* data = static_cast<const char*>(g_bytes_get_data(body, &n));
  return std::string(data ? data : "", n);
}

bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

}  // namespace

class WatchIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    broker_ = std::make_unique<fw::testing::MosquittoBroker>(dir_.path());
    if (!broker_->start(error)) GTEST_SKIP() << "no mosquitto broker: " << error;
    ASSERT_TRUE(farm_.start({
        {"steady", {}},
        // A detailed scene whose lens drifts, and comes back.
        {"drifts", {"--change-to", "defocus", "--change-blur", "2.5"}},
        // A soft, low-detail scene defocused slightly: the absolute model
        // still says CLEAR, its own reference does not.
        {"softy", {"--blur", "1.2", "--change-to", "defocus", "--change-blur", "1.2"}},
        {"turned", {"--change-to", "scene"}},
        {"capped", {"--change-to", "black"}},
    })) << "fake cameras did not start";
    nlohmann::json cams = nlohmann::json::array();
    for (const char* name : {"steady", "drifts", "softy", "turned", "capped"})
      cams.push_back({{"name", name}, {"url", farm_.url(name)}, {"transport", "tcp"}});
    cameras_ = dir_.file("cameras.json");
    g_file_set_contents(cameras_.c_str(), cams.dump().c_str(), -1, nullptr);
    state_ = dir_.file("watch.db");
  }

  std::vector<std::string> watch_args(std::vector<std::string> extra) {
    std::vector<std::string> a{
        "watch",     "--cameras", cameras_,       "--state", state_,
        "--confirm", "2",         "--learn",      "2",       "--jobs",
        "4",         "--webhook", webhook_.url(), "--mqtt",  "127.0.0.1:" + std::to_string(broker_->port()),
        "--timeout", "15"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  RunResult round() {
    RunResult r = run_focusmeter(watch_args({"--once"}));
    rounds_.push_back(r.out);
    return r;
  }
  // A change reaches the clients from the encoder's next keyframe (GOP 1 s).
  void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(2500)); }

  fw::testing::TempDir dir_;
  std::unique_ptr<fw::testing::MosquittoBroker> broker_;
  fw::testing::ThreadedWebhookReceiver webhook_;
  Farm farm_;
  std::string cameras_, state_;
  std::vector<std::string> rounds_;
};

TEST_F(WatchIntegration, DriftViewChangeAlertsMetricsAndKill) {
  fw::testing::MqttRecorder events(broker_->port(), "focusmeter/#");
  ASSERT_TRUE(fw::testing::spin_until([&] { return events.subscribed(); }, 5000));

  // Rounds 1-2 learn the references (--learn 2); round 3 is judged against them.
  for (int i = 0; i < 3; ++i) {
    const RunResult r = round();
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    for (const char* name : {"steady", "drifts", "softy", "turned", "capped"})
      EXPECT_TRUE(has(line_of(r.out, name), "CLEAR")) << r.out;
  }
  EXPECT_TRUE(has(rounds_[1], "reference learned")) << rounds_[1];
  EXPECT_TRUE(has(line_of(rounds_[2], "softy"), "drop ")) << rounds_[2];

  farm_.signal("drifts", SIGUSR1);
  farm_.signal("softy", SIGUSR1);
  farm_.signal("turned", SIGUSR1);
  farm_.signal("capped", SIGUSR1);
  settle();
  // Round 4: the first bad check; nothing opens before --confirm 2.
  RunResult r = round();
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_TRUE(has(line_of(r.out, "drifts"), "BLURRY (drift)")) << r.out;
  EXPECT_TRUE(has(line_of(r.out, "softy"), "BLURRY (drift)")) << r.out;
  EXPECT_TRUE(has(line_of(r.out, "turned"), "VIEW CHANGED")) << r.out;
  EXPECT_TRUE(has(line_of(r.out, "capped"), "UNKNOWN")) << r.out;  // black: too dark, not blurry
  EXPECT_TRUE(has(line_of(r.out, "steady"), "CLEAR")) << r.out;
  EXPECT_FALSE(has(r.out, "INCIDENT")) << r.out;
  // The soft scene's absolute verdict stays CLEAR: only its reference tells.
  EXPECT_TRUE(has(line_of(r.out, "softy"), "relative focus drop")) << r.out;
  // Round 5: the second, and the incidents open.
  r = round();
  EXPECT_TRUE(has(line_of(r.out, "drifts", "INCIDENT OPEN blurry"), "blurry")) << r.out;
  EXPECT_TRUE(has(line_of(r.out, "softy", "INCIDENT OPEN blurry"), "blurry")) << r.out;
  EXPECT_TRUE(has(line_of(r.out, "turned", "INCIDENT OPEN view_changed"), "view_changed")) << r.out;
  EXPECT_TRUE(has(line_of(r.out, "capped", "INCIDENT OPEN obscured"), "obscured")) << r.out;
  EXPECT_EQ(line_of(r.out, "steady", "INCIDENT"), "") << r.out;

  // The lens is put right: two good checks close the incident.
  farm_.signal("drifts", SIGUSR2);
  settle();
  r = round();
  EXPECT_TRUE(has(line_of(r.out, "drifts"), "CLEAR")) << r.out;
  EXPECT_EQ(line_of(r.out, "drifts", "INCIDENT"), "") << r.out;
  r = round();
  EXPECT_TRUE(has(line_of(r.out, "drifts", "INCIDENT CLOSE blurry"), "CLOSE")) << r.out;

  // Webhook: exactly one open per incident and one close, nothing for steady.
  std::map<std::string, int> posts;
  for (const auto& req : webhook_.requests()) {
    const auto j = nlohmann::json::parse(req.body);
    ++posts[j["name"].get<std::string>() + " " + j["event"].get<std::string>() + " " + j["kind"].get<std::string>()];
  }
  const std::map<std::string, int> expected{{"drifts open blurry", 1},
                                            {"drifts close blurry", 1},
                                            {"softy open blurry", 1},
                                            {"turned open view_changed", 1},
                                            {"capped open obscured", 1}};
  EXPECT_EQ(posts, expected);
  // MQTT: the same events, and a retained state per camera that had one.
  ASSERT_TRUE(fw::testing::spin_until(
      [&] {
        int n = 0;
        for (const auto& m : events.messages()) n += m.topic == "focusmeter/events";
        return n >= 5;
      },
      5000));
  std::map<std::string, int> published;
  for (const auto& m : events.messages())
    if (m.topic == "focusmeter/events") {
      const auto j = nlohmann::json::parse(m.payload);
      ++published[j["name"].get<std::string>() + " " + j["event"].get<std::string>() + " " +
                  j["kind"].get<std::string>()];
    }
  EXPECT_EQ(published, expected);

  // A continuous watch: the metrics say what the state says; then SIGKILL
  // mid-run, a restart, and nothing is corrupt, lost or sent twice.
  const std::uint16_t metrics_port = fw::testing::free_loopback_port();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE));
  std::vector<std::string> args{FOCUSMETER_PATH};
  for (auto& a :
       watch_args({"--every", "1", "--jitter", "0", "--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)}))
    args.push_back(a);
  std::vector<const gchar*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  g_autoptr(GSubprocess) proc = g_subprocess_launcher_spawnv(launcher, argv.data(), nullptr);
  ASSERT_TRUE(proc);
  std::string metrics;
  // The series of a camera: its identity (the URL, stable) and its name.
  auto label = [&](const std::string& name) { return "camera=\"" + farm_.url(name) + "\",name=\"" + name + "\""; };
  auto all_checked = [&] {
    for (const char* name : {"steady", "drifts", "softy", "turned", "capped"})
      if (!has(metrics, std::string("focusmeter_camera_last_check_timestamp_seconds{") + label(name) + "}"))
        return false;
    return true;
  };
  for (int i = 0; i < 100 && !all_checked(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    metrics = http_get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
  }
  EXPECT_TRUE(has(metrics, "focusmeter_camera_up{" + label("steady") + "} 1")) << metrics;
  EXPECT_TRUE(has(metrics, "focusmeter_camera_blurry{" + label("steady") + "} 0")) << metrics;
  EXPECT_TRUE(has(metrics, "focusmeter_camera_incident_open{" + label("softy") + ",kind=\"blurry\"} 1")) << metrics;
  EXPECT_TRUE(has(metrics, "focusmeter_camera_incident_open{" + label("drifts") + ",kind=\"blurry\"} 0")) << metrics;
  EXPECT_TRUE(has(metrics, "focusmeter_build_info{")) << metrics;
  // promtool's parser and lint rules on what a Prometheus server would scrape.
  const auto lint = focusmeter_test::promtool_check_metrics(metrics);
  EXPECT_TRUE(lint.clean()) << lint.output << "\n" << metrics;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  g_subprocess_send_signal(proc, SIGKILL);
  g_subprocess_wait(proc, nullptr, nullptr);

  r = round();  // the restart
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_FALSE(has(r.out, "INCIDENT")) << r.out;  // nothing re-opened, nothing re-alerted
  {
    fw::StateStore store(state_);
    EXPECT_EQ(store.integrity_check(), "ok");
    std::map<std::string, int> open;
    for (const auto& cam : store.cameras())
      for (const auto& inc : store.open_incidents(cam.id)) ++open[cam.name + " " + inc.kind];
    EXPECT_EQ(open,
              (std::map<std::string, int>{{"softy blurry", 1}, {"turned view_changed", 1}, {"capped obscured", 1}}));
  }
  std::map<std::string, int> after;
  for (const auto& req : webhook_.requests()) {
    const auto j = nlohmann::json::parse(req.body);
    ++after[j["name"].get<std::string>() + " " + j["event"].get<std::string>() + " " + j["kind"].get<std::string>()];
  }
  EXPECT_EQ(after, expected);

  // After a service visit: the reference is set from a check made now.
  r = run_focusmeter({"watch", "reference", "set", "turned", "--now", "--cameras", cameras_, "--state", state_});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "turned: reference set from check")) << r.out;
  r = run_focusmeter(watch_args({"--once"}));
  EXPECT_TRUE(has(line_of(r.out, "turned"), "CLEAR")) << r.out;
  r = run_focusmeter({"watch", "reference", "show", "turned", "--state", state_});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "day   set ")) << r.out;
  r = run_focusmeter({"watch", "reference", "set", "nosuch", "--from-check", "1", "--state", state_});
  EXPECT_EQ(r.status, 65) << r.out << r.err;
}

// Two instances, --shard 0/2 and 1/2, over one camera list and one broker:
// every camera is checked by exactly one of them, and both publish to the
// broker the fleet shares. Besides the farm, the list names cameras on a
// port that refuses connections: with --confirm 1 each opens an
// `unavailable` incident at once, so each shard has something to publish
// (the dead cameras are added until both shards own at least one).
TEST_F(WatchIntegration, TwoShardsCheckEachCameraExactlyOnceAndShareOneBroker) {
  focusmeter_test::RefusingPort refusing;
  ASSERT_GT(refusing.port(), 0);
  nlohmann::json cams = nlohmann::json::array();
  std::vector<std::string> names{"steady", "drifts", "softy", "turned", "capped"};
  for (const auto& name : names) cams.push_back({{"name", name}, {"url", farm_.url(name)}, {"transport", "tcp"}});
  std::set<std::uint32_t> dead_shards;
  std::vector<std::string> dead;
  for (int i = 0; dead.size() < 2 || dead_shards.size() < 2; ++i) {
    ASSERT_LT(i, 64) << "no dead camera in one of the shards";
    const std::string url = "rtsp://127.0.0.1:" + std::to_string(refusing.port()) + "/dead-" + std::to_string(i);
    dead_shards.insert(focusmeter::scan::shard_of(focusmeter::scan::canonical_camera_identity(url), 2));
    dead.push_back("dead-" + std::to_string(i));
    cams.push_back({{"name", dead.back()}, {"url", url}});
  }
  const std::string cameras = dir_.file("sharded.json");
  g_file_set_contents(cameras.c_str(), cams.dump().c_str(), -1, nullptr);

  fw::testing::MqttRecorder states(broker_->port(), "focusmeter/+/state");
  ASSERT_TRUE(fw::testing::spin_until([&] { return states.subscribed(); }, 5000));
  std::map<std::string, int> checked;
  std::map<std::string, std::set<std::string>> opened;  // by shard: the dead cameras it opened an incident for
  for (const char* shard : {"0/2", "1/2"}) {
    // Each shard its own state file, as separate machines would have.
    const RunResult r =
        run_focusmeter({"watch", "--cameras", cameras, "--state", dir_.file(std::string("shard-") + shard[0] + ".db"),
                        "--shard", shard, "--once", "--confirm", "1", "--timeout", "15", "--probe-timeout", "1",
                        "--mqtt", "127.0.0.1:" + std::to_string(broker_->port())});
    EXPECT_EQ(r.status, 2) << r.out << r.err;  // the dead cameras were not checked
    for (const auto& name : names) checked[name] += !line_of(r.out, name).empty();
    for (const auto& name : dead) {
      checked[name] += !line_of(r.out, name).empty();
      if (!line_of(r.out, name, "INCIDENT OPEN unavailable").empty()) opened[shard].insert(name);
    }
  }
  for (const auto& name : names) EXPECT_EQ(checked[name], 1) << name;
  for (const auto& name : dead) EXPECT_EQ(checked[name], 1) << name;
  // Both shards opened incidents, and the one broker holds a retained state
  // for every dead camera, whichever shard checked it.
  EXPECT_FALSE(opened["0/2"].empty());
  EXPECT_FALSE(opened["1/2"].empty());
  EXPECT_EQ(opened["0/2"].size() + opened["1/2"].size(), dead.size());
  std::set<std::string> stated;
  fw::testing::spin_until(
      [&] {
        stated.clear();
        for (const auto& m : states.messages())
          stated.insert(nlohmann::json::parse(m.payload)["name"].get<std::string>());
        return stated.size() >= dead.size();
      },
      5000);
  EXPECT_EQ(stated, std::set<std::string>(dead.begin(), dead.end()));
}

// SIGTERM: the checks in flight finish and are recorded, then exit 0.
TEST_F(WatchIntegration, SigtermFinishesChecksInFlight) {
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE));
  const std::vector<std::string> args = watch_args({"--every", "30", "--jitter", "0"});
  std::vector<const gchar*> argv{FOCUSMETER_PATH};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  g_autoptr(GSubprocess) proc = g_subprocess_launcher_spawnv(launcher, argv.data(), nullptr);
  ASSERT_TRUE(proc);
  // A check judges two keyframes a second apart: none started in the first
  // second can be over by its end, so the signal finds them in flight.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  g_subprocess_send_signal(proc, SIGTERM);
  g_autofree gchar* out = nullptr;
  g_autofree gchar* err = nullptr;
  ASSERT_TRUE(g_subprocess_communicate_utf8(proc, nullptr, nullptr, &out, &err, nullptr));
  EXPECT_TRUE(g_subprocess_get_if_exited(proc));
  EXPECT_EQ(g_subprocess_get_exit_status(proc), 0) << err;
  int in_flight = -1, queued = -1;
  const char* at = std::strstr(err, "SIGTERM: finishing ");
  ASSERT_TRUE(at) << err;
  std::sscanf(at, "SIGTERM: finishing %d check(s) in flight (%d queued", &in_flight, &queued);
  EXPECT_GE(in_flight, 1) << err;
  ASSERT_GE(queued, 0) << err;
  fw::StateStore store(state_);
  EXPECT_EQ(store.integrity_check(), "ok");
  std::size_t stored = 0;
  for (const auto& cam : store.cameras()) stored += store.checks(cam.id).size();
  std::size_t printed = 0;
  for (const char* name : {"steady", "drifts", "softy", "turned", "capped"}) printed += !line_of(out, name).empty();
  // Every check in flight was finished, recorded and reported; none started
  // after. At the signal each camera's first check was done, in flight,
  // queued (--jobs 4 for 5 cameras) or not yet due (the first round is
  // spread over a tenth of --every); how many of each depends on the
  // machine's speed. The queued and the not yet due stay unchecked.
  EXPECT_EQ(stored, printed) << out;
  EXPECT_GE(printed, static_cast<std::size_t>(in_flight)) << out;
  EXPECT_LE(printed, 5u - static_cast<std::size_t>(queued)) << out << err;
}

// --blurry-share is scan's (focusmeter/parameters.h): the same rule, and the
// absolute verdict of each check uses it through scan's path.
TEST(WatchOptions, BlurryShareFollowsTheSharedRule) {
  const RunResult r = run_focusmeter({"watch", "--once", "--blurry-share", "2", "127.0.0.1"});
  EXPECT_EQ(r.status, 64) << r.out << r.err;
  EXPECT_NE(r.err.find("--blurry-share must be in [0, 1]"), std::string::npos) << r.err;
}

// The gauges go beyond the machine only when asked: plain HTTP, no token.
TEST(WatchOptions, MetricsBeyondLoopbackNeedsConsent) {
  RunResult r = run_focusmeter({"watch", "--metrics-listen", "0.0.0.0:9724", "--once", "127.0.0.1"});
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_NE(r.err.find("is not loopback"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--metrics-allow-remote"), std::string::npos) << r.err;
  r = run_focusmeter({"watch", "--metrics-allow-remote", "--once", "127.0.0.1"});
  EXPECT_EQ(r.status, 64) << r.err;
  EXPECT_NE(r.err.find("needs --metrics-listen"), std::string::npos) << r.err;
}
