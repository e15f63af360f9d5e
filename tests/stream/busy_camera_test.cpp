// A camera that serves as many clients as it allows answers SETUP with
// 503 Service Unavailable, as real cameras do (a few RTSP sessions each):
// scan and check say the camera is busy (not "stream error", not "not an
// RTSP answer"), after asking again a few times; once the other client
// leaves, the same camera is judged as usual.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>

#include "../common/fake_farm.h"
#include "nlohmann/json.hpp"

namespace {

using focusmeter_test::FakeFarm;
using focusmeter_test::run_focusmeter;

// Another viewer of the camera: gst-launch-1.0 with rtspsrc, holding one
// RTSP session until SIGINT (-e: EOS, then TEARDOWN on the way to NULL).
class Viewer {
 public:
  explicit Viewer(const std::string& url) {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
        static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE));
    const std::string location = "location=" + url;
    proc_ = g_subprocess_launcher_spawn(launcher, nullptr, "gst-launch-1.0", "-e", "rtspsrc", location.c_str(),
                                        "protocols=tcp", "!", "fakesink", nullptr);
    if (!proc_) return;
    // gst-launch prints its progress; the session is set up once PLAY went out.
    g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(proc_));
    for (;;) {
      g_autofree gchar* line = g_data_input_stream_read_line(in, nullptr, nullptr, nullptr);
      if (!line) break;
      if (std::strstr(line, "Sent PLAY request")) {
        playing_ = true;
        break;
      }
    }
  }
  ~Viewer() { leave(); }
  bool playing() const { return playing_; }
  // SIGINT: gst-launch -e ends the stream and tears the session down.
  void leave() {
    if (!proc_) return;
    g_subprocess_send_signal(proc_, SIGINT);
    g_subprocess_wait(proc_, nullptr, nullptr);
    g_clear_object(&proc_);
  }

 private:
  GSubprocess* proc_ = nullptr;
  bool playing_ = false;
};

TEST(BusyCamera, SaysBusyWhileItsSessionsAreTakenAndJudgesOnceFree) {
  FakeFarm farm;
  ASSERT_TRUE(farm.start({{40, {"--max-sessions", "1", "--width", "320", "--height", "240", "--gop", "1"}}}));
  const std::string url = "rtsp://" + farm.address(40) + ":" + std::to_string(farm.port()) + "/Streaming/Channels/101";
  const std::string model = std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json";

  Viewer viewer(url);
  ASSERT_TRUE(viewer.playing()) << "the other viewer could not play " << url;
  const auto s = run_focusmeter({"scan", "--model", model, "--timeout", "8", "--format", "jsonl", url});
  const auto k = run_focusmeter({"check", "--model", model, "--timeout", "8", "-f", "json", url});
  const auto scan_doc = nlohmann::json::parse(s.out, nullptr, false);
  const auto check_doc = nlohmann::json::parse(k.out, nullptr, false);
  ASSERT_FALSE(scan_doc.is_discarded()) << s.out << s.err;
  ASSERT_FALSE(check_doc.is_discarded()) << k.out << k.err;
  const auto& kr = check_doc["results"][0];
  for (const auto& r : {scan_doc, kr}) {
    SCOPED_TRACE(r.dump());
    EXPECT_EQ(r.value("status", ""), "stream_error");
    EXPECT_TRUE(r["verdict"].is_null());
    EXPECT_NE(r.value("reason", "").find("the camera is busy: 503 Service Unavailable"), std::string::npos);
  }
  EXPECT_EQ(scan_doc.value("reason", ""), kr.value("reason", "")) << "the same reason from both";
  EXPECT_NE(s.status, 0);
  EXPECT_NE(k.status, 0);

  viewer.leave();
  const auto again = run_focusmeter({"scan", "--model", model, "--timeout", "8", "--format", "jsonl", url});
  const auto doc = nlohmann::json::parse(again.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << again.out << again.err;
  EXPECT_EQ(doc.value("status", ""), "ok") << doc.dump();
  EXPECT_EQ(doc.value("verdict", ""), "CLEAR") << doc.dump();
}

}  // namespace
