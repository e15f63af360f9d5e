// Alert delivery against real receivers on loopback: a libsoup HTTP server
// in the test, a mosquitto broker the test starts, and shell commands.
#include <gtest/gtest.h>
#include <libsoup/soup.h>

#include <signal.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "loop_util.h"
#include "mosquitto_broker.h"
#include "nlohmann/json.hpp"
#include "temp_dir.h"
#include "watch/command_hook_sink.h"
#include "watch/mqtt_sink.h"
#include "watch/webhook_sink.h"
#include "webhook_receiver.h"

namespace fw = focusmeter::watch;
using fw::testing::spin_for;
using fw::testing::spin_until;
using fw::testing::TempDir;
using fw::testing::WebhookReceiver;

namespace {

fw::AlertEvent event(fw::Transition::Type type, std::int64_t incident = 7) {
  fw::AlertEvent e;
  e.camera = "rtsp://127.0.0.2:8554/gate";
  e.name = "gate";
  e.event = type;
  e.kind = fw::IncidentKind::Blurry;
  e.time = 1796290800;
  e.score = 0.2;
  e.reason = "relative focus drop 0.41";
  e.check_id = 42;
  e.incident_id = incident;
  if (type == fw::Transition::Type::Open) e.open_incidents = {fw::IncidentKind::Blurry};
  return e;
}

// The MQTT sink logs from its network thread, hence the lock.
struct LogLines {
  fw::AlertLog log() {
    return [this](const std::string& l) {
      std::lock_guard<std::mutex> lock(mutex);
      lines_.push_back(l);
    };
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mutex);
    return lines_;
  }
  std::size_t count(const std::string& needle) const {
    std::size_t n = 0;
    for (const auto& l : lines()) n += l.find(needle) != std::string::npos;
    return n;
  }

 private:
  mutable std::mutex mutex;
  std::vector<std::string> lines_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

fw::RetryPolicy fast_retry(unsigned attempts) { return fw::RetryPolicy{attempts, 40, 200}; }

}  // namespace

TEST(WebhookSink, OnePostPerEventWithTheBearerToken) {
  TempDir dir;
  write_file(dir.file("token"), "  s3cret-token \n");
  WebhookReceiver rx;
  LogLines logs;
  std::string error;
  auto sink = fw::WebhookSink::create({rx.url(), dir.file("token"), 5, fast_retry(3)}, logs.log(), error);
  ASSERT_TRUE(sink) << error;

  auto leaky = event(fw::Transition::Type::Open);
  leaky.camera = "rtsp://admin:hunter2@127.0.0.2:8554/gate";
  sink->submit(leaky);
  sink->submit(event(fw::Transition::Type::Close));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  spin_for(300);  // nothing more arrives
  ASSERT_EQ(rx.requests.size(), 2u);
  for (const auto& r : rx.requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.authorization, "Bearer s3cret-token");
    EXPECT_EQ(r.body.find("hunter2"), std::string::npos) << r.body;
  }
  const auto first = nlohmann::json::parse(rx.requests[0].body);
  const auto second = nlohmann::json::parse(rx.requests[1].body);
  EXPECT_EQ(first.at("event"), "open");
  EXPECT_EQ(second.at("event"), "close");
  EXPECT_EQ(second.at("incident_id"), 7);
  EXPECT_TRUE(logs.lines().empty());
}

TEST(WebhookSink, RetriesAfterA500AndDeliversOnceInOrder) {
  WebhookReceiver rx;
  rx.fail_first = 2;
  LogLines logs;
  std::string error;
  auto sink = fw::WebhookSink::create({rx.url(), "", 5, fast_retry(5)}, logs.log(), error);
  ASSERT_TRUE(sink) << error;
  sink->submit(event(fw::Transition::Type::Open));
  sink->submit(event(fw::Transition::Type::Close));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  spin_for(300);
  // open (500), open (500), open (200), close (200): the close waits for
  // its open, and each event is accepted exactly once.
  ASSERT_EQ(rx.requests.size(), 4u);
  EXPECT_EQ(rx.delivered, 2u);
  EXPECT_EQ(rx.requests[0].body, rx.requests[2].body);
  EXPECT_EQ(nlohmann::json::parse(rx.requests[2].body).at("event"), "open");
  EXPECT_EQ(nlohmann::json::parse(rx.requests[3].body).at("event"), "close");
  EXPECT_TRUE(rx.requests[0].authorization.empty());
  EXPECT_EQ(logs.count("HTTP 500"), 2u);
  EXPECT_EQ(logs.count("dropped"), 0u);
}

TEST(WebhookSink, GivesUpAfterMaxAttemptsWithoutThrowing) {
  WebhookReceiver rx;
  rx.fail_first = 100;
  rx.fail_status = 503;
  LogLines logs;
  std::string error;
  auto sink = fw::WebhookSink::create({rx.url(), "", 5, fast_retry(3)}, logs.log(), error);
  ASSERT_TRUE(sink) << error;
  sink->submit(event(fw::Transition::Type::Open));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  EXPECT_EQ(rx.requests.size(), 3u);
  EXPECT_EQ(logs.count("dropped the open blurry event of incident 7 after 3 attempts"), 1u);
}

TEST(WebhookSink, AnUnreachableReceiverIsLoggedAndRetried) {
  LogLines logs;
  std::string error;
  const auto port = fw::testing::free_loopback_port();  // nothing listens there
  auto sink = fw::WebhookSink::create(
      {"http://hook:pa55word@127.0.0.1:" + std::to_string(port) + "/x", "", 2, fast_retry(2)}, logs.log(), error);
  ASSERT_TRUE(sink) << error;
  sink->submit(event(fw::Transition::Type::Open));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  ASSERT_EQ(logs.lines().size(), 2u);
  for (const auto& l : logs.lines()) EXPECT_EQ(l.find("pa55word"), std::string::npos) << l;
  EXPECT_EQ(logs.count("retrying in 40 ms"), 1u);
}

TEST(WebhookSink, BadConfigurationIsAOneLineError) {
  TempDir dir;
  std::string error;
  EXPECT_FALSE(fw::WebhookSink::create({"ftp://u:pa55word@127.0.0.1/x", "", 5, {}}, nullptr, error));
  EXPECT_EQ(error.find("pa55word"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(fw::WebhookSink::create({"http://127.0.0.1/x", dir.file("missing"), 5, {}}, nullptr, error));
  EXPECT_FALSE(error.empty());
  write_file(dir.file("blank"), "   \n");
  EXPECT_FALSE(fw::WebhookSink::create({"http://127.0.0.1/x", dir.file("blank"), 5, {}}, nullptr, error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
}

TEST(MqttSink, RetainedStatePerCameraAndOneMessagePerEvent) {
  TempDir dir;
  fw::testing::MosquittoBroker broker(dir.path());
  std::string error;
  ASSERT_TRUE(broker.start(error)) << error;
  fw::testing::MqttRecorder early(broker.port(), "site/#");
  ASSERT_TRUE(spin_until([&] { return early.subscribed(); }, 5000));

  fw::MqttConfig config;
  config.port = broker.port();
  config.prefix = "site";
  LogLines logs;
  auto sink = fw::MqttSink::create(config, logs.log(), error);
  ASSERT_TRUE(sink) << error;
  sink->submit(event(fw::Transition::Type::Open));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0 && early.messages().size() >= 2; }, 10000));
  spin_for(300);
  const std::string state_topic = "site/rtsp%3A%2F%2F127.0.0.2%3A8554%2Fgate/state";
  auto seen = early.messages();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].topic, state_topic);
  EXPECT_EQ(nlohmann::json::parse(seen[0].payload).at("state"), "incident");
  EXPECT_EQ(seen[1].topic, "site/events");
  EXPECT_EQ(nlohmann::json::parse(seen[1].payload).at("event"), "open");

  // A dashboard that subscribes later gets the retained state, not the event.
  {
    fw::testing::MqttRecorder late(broker.port(), "site/#");
    ASSERT_TRUE(spin_until([&] { return !late.messages().empty(); }, 5000));
    spin_for(200);
    const auto got = late.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].topic, state_topic);
    EXPECT_TRUE(got[0].retained);
  }
  sink->submit(event(fw::Transition::Type::Close));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0 && early.messages().size() >= 4; }, 10000));
  fw::testing::MqttRecorder after(broker.port(), state_topic);
  ASSERT_TRUE(spin_until([&] { return !after.messages().empty(); }, 5000));
  EXPECT_EQ(nlohmann::json::parse(after.messages()[0].payload).at("state"), "ok");
  EXPECT_TRUE(logs.lines().empty());
}

TEST(MqttSink, WaitsForABrokerThatIsNotUpYet) {
  TempDir dir;
  fw::testing::MosquittoBroker broker(dir.path());  // port chosen, not started
  fw::MqttConfig config;
  config.port = broker.port();
  config.prefix = "site";
  LogLines logs;
  std::string error;
  auto sink = fw::MqttSink::create(config, logs.log(), error);
  ASSERT_TRUE(sink) << error;
  sink->submit(event(fw::Transition::Type::Open));
  spin_for(300);
  EXPECT_EQ(sink->pending(), 2u);
  EXPECT_FALSE(sink->connected());
  ASSERT_TRUE(broker.start(error)) << error;
  // libmosquitto's back-off starts at 1 s.
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 15000)) << ::testing::PrintToString(logs.lines());
  fw::testing::MqttRecorder late(broker.port(), "site/+/state");
  ASSERT_TRUE(spin_until([&] { return !late.messages().empty(); }, 5000));
  EXPECT_TRUE(late.messages()[0].retained);
  EXPECT_GE(logs.lines().size(), 1u);  // the outage was logged
}

TEST(MqttSink, RefusesAWildcardPrefix) {
  std::string error;
  fw::MqttConfig config;
  config.prefix = "site/#";
  EXPECT_FALSE(fw::MqttSink::create(config, nullptr, error));
  EXPECT_FALSE(error.empty());
}

TEST(CommandHookSink, TheCommandGetsTheEventOnStdin) {
  TempDir dir;
  const std::string out = dir.file("event.json");
  g_autofree char* quoted = g_shell_quote(out.c_str());
  LogLines logs;
  std::string error;
  auto sink = fw::CommandHookSink::create({"sh -c 'cat > \"$0\"' " + std::string(quoted), 5000, fast_retry(2)},
                                          logs.log(), error);
  ASSERT_TRUE(sink) << error;
  const auto e = event(fw::Transition::Type::Open);
  sink->submit(e);
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  EXPECT_EQ(read_file(out), fw::alert_event_json(e));
  EXPECT_TRUE(logs.lines().empty());
}

TEST(CommandHookSink, AFailingCommandIsRetriedThenDropped) {
  TempDir dir;
  const std::string count = dir.file("count");
  g_autofree char* quoted = g_shell_quote(count.c_str());
  LogLines logs;
  std::string error;
  auto sink = fw::CommandHookSink::create(
      {"sh -c 'cat >/dev/null; echo x >> \"$0\"; exit 3' " + std::string(quoted), 5000, fast_retry(3)}, logs.log(),
      error);
  ASSERT_TRUE(sink) << error;
  sink->submit(event(fw::Transition::Type::Open));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  EXPECT_EQ(read_file(count), "x\nx\nx\n");
  EXPECT_EQ(logs.count("exit status 3"), 3u);
  EXPECT_EQ(logs.count("dropped"), 1u);
}

TEST(CommandHookSink, AHungCommandIsKilledAtTheTimeout) {
  LogLines logs;
  std::string error;
  auto sink = fw::CommandHookSink::create({"sleep 30", 200, fast_retry(1)}, logs.log(), error);
  ASSERT_TRUE(sink) << error;
  const gint64 start = g_get_monotonic_time();
  sink->submit(event(fw::Transition::Type::Open));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  EXPECT_LT(g_get_monotonic_time() - start, 5 * G_USEC_PER_SEC);
  EXPECT_EQ(logs.count("timed out after 200 ms"), 1u);
}

TEST(CommandHookSink, ExitZeroWithoutReadingStdinIsDelivered) {
  LogLines logs;
  std::string error;
  auto sink = fw::CommandHookSink::create({"true", 5000, fast_retry(2)}, logs.log(), error);
  ASSERT_TRUE(sink) << error;
  for (int i = 0; i < 3; ++i) sink->submit(event(fw::Transition::Type::Open, i));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  EXPECT_TRUE(logs.lines().empty());
}

TEST(CommandHookSink, AMissingProgramIsADeliveryFailure) {
  LogLines logs;
  std::string error;
  auto sink = fw::CommandHookSink::create({"/nonexistent/hook", 5000, fast_retry(2)}, logs.log(), error);
  ASSERT_TRUE(sink) << error;
  sink->submit(event(fw::Transition::Type::Open));
  ASSERT_TRUE(spin_until([&] { return sink->pending() == 0; }, 10000));
  EXPECT_EQ(logs.count("dropped"), 1u);
  EXPECT_FALSE(fw::CommandHookSink::create({"sh -c 'unbalanced", 5000, {}}, nullptr, error));
}

// A watch that stops abandons what is pending without crashing: a retry
// timer that would fire into a dead sink, a request in flight, a hook still
// running (killed).
TEST(AlertSinks, DestroyingASinkWithWorkPendingIsSafe) {
  WebhookReceiver rx;
  rx.fail_first = 100;
  std::string error;
  LogLines logs;
  {
    auto sink = fw::WebhookSink::create({rx.url(), "", 5, fw::RetryPolicy{5, 100, 100}}, logs.log(), error);
    ASSERT_TRUE(sink) << error;
    sink->submit(event(fw::Transition::Type::Open));
    ASSERT_TRUE(spin_until([&] { return rx.requests.size() == 1 && logs.count("retrying") == 1; }, 5000));
  }  // retry timer pending
  {
    auto sink = fw::WebhookSink::create({rx.url(), "", 5, fast_retry(5)}, logs.log(), error);
    ASSERT_TRUE(sink) << error;
    sink->submit(event(fw::Transition::Type::Open));
  }  // request in flight
  spin_for(400);
  EXPECT_EQ(rx.requests.size(), 1u);  // nothing fired after destruction

  TempDir dir;
  const std::string pidfile = dir.file("pid");
  g_autofree char* quoted = g_shell_quote(pidfile.c_str());
  {
    auto sink = fw::CommandHookSink::create(
        {"sh -c 'echo $$ > \"$0\"; exec sleep 30' " + std::string(quoted), 60000, fast_retry(1)}, logs.log(), error);
    ASSERT_TRUE(sink) << error;
    sink->submit(event(fw::Transition::Type::Open));
    ASSERT_TRUE(spin_until([&] { return !read_file(pidfile).empty(); }, 5000));
  }
  const int pid = std::stoi(read_file(pidfile));
  EXPECT_TRUE(spin_until([&] { return kill(pid, 0) != 0; }, 5000)) << "the hook outlived its sink";
}
