// `focusmeter check rtsp://...`: a live stream served in the test by
// gst-rtsp-server on 127.0.0.1 (port chosen by the system) from a sharp
// JPEG; check watches it for --to seconds and reports a stream result with a
// timeline. Also: a stream that refuses the connection is a stream_error,
// quickly.
#include <gst/rtsp-server/rtsp-server.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_media.h"

using nlohmann::json;

namespace {

const std::string kModel = std::string(FOCUSMETER_TEST_DATA) + "/check/test-model.json";

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun run_check(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {FOCUSMETER_EXE, "check"};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  CliRun r;
  g_autofree gchar* out = nullptr;
  g_autofree gchar* err = nullptr;
  gint status = 0;
  if (!g_spawn_sync(nullptr, const_cast<gchar**>(argv.data()), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err,
                    &status, nullptr))
    return r;
  r.out = out ? out : "";
  r.err = err ? err : "";
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// An RTSP server on 127.0.0.1 and a port the system picks, run by its own
// main loop thread for the life of the object.
class LoopbackCamera {
 public:
  explicit LoopbackCamera(const std::string& jpeg_path) {
    gst_init(nullptr, nullptr);
    context_ = g_main_context_new();
    loop_ = g_main_loop_new(context_, FALSE);
    server_ = gst_rtsp_server_new();
    gst_rtsp_server_set_address(server_, "127.0.0.1");
    gst_rtsp_server_set_service(server_, "0");
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    const std::string launch = "( multifilesrc location=\"" + jpeg_path +
                               "\" loop=true caps=image/jpeg,framerate=5/1 ! jpegparse ! rtpjpegpay name=pay0 pt=26 )";
    gst_rtsp_media_factory_set_launch(factory, launch.c_str());
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    g_autoptr(GstRTSPMountPoints) mounts = gst_rtsp_server_get_mount_points(server_);
    gst_rtsp_mount_points_add_factory(mounts, "/cam", factory);  // takes the factory
    source_id_ = gst_rtsp_server_attach(server_, context_);
    port_ = gst_rtsp_server_get_bound_port(server_);
    thread_ = std::thread([this] { g_main_loop_run(loop_); });
  }
  ~LoopbackCamera() {
    g_main_loop_quit(loop_);
    thread_.join();
    if (source_id_) {
      GSource* src = g_main_context_find_source_by_id(context_, source_id_);
      if (src) g_source_destroy(src);
    }
    g_object_unref(server_);
    g_main_loop_unref(loop_);
    g_main_context_unref(context_);
  }
  int port() const { return port_; }

 private:
  GMainContext* context_ = nullptr;
  GMainLoop* loop_ = nullptr;
  GstRTSPServer* server_ = nullptr;
  guint source_id_ = 0;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST(CheckStream, LiveRtspStreamGetsATimeline) {
  const std::string jpeg =
      (std::filesystem::temp_directory_path() / ("focusmeter-stream-" + std::to_string(getpid()) + ".jpg")).string();
  ASSERT_TRUE(cv::imwrite(jpeg, check_test::sharp_picture()));
  {
    LoopbackCamera cam(jpeg);
    ASSERT_GT(cam.port(), 0);
    const std::string uri = "rtsp://127.0.0.1:" + std::to_string(cam.port()) + "/cam";
    const auto t0 = std::chrono::steady_clock::now();
    const CliRun r = run_check({"-m", kModel, "-f", "json", "--to", "2", "--every", "0.5", uri});
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const json rep = json::parse(r.out);
    const json& res = rep["results"][0];
    EXPECT_EQ(res["source"], uri);
    EXPECT_EQ(res["kind"], "stream");
    EXPECT_EQ(res["status"], "ok") << res.dump();
    EXPECT_EQ(res["verdict"], "CLEAR");
    EXPECT_EQ(res["width"], 512);
    EXPECT_GE(res["timeline"].size(), 2u) << res.dump();
    EXPECT_LT(took, 15.0);  // watches about 2 s, plus connecting
  }
  std::filesystem::remove(jpeg);
}

TEST(CheckStream, RefusedStreamIsAStreamError) {
  // A port that was free a moment ago: nothing listens there.
  GSocket* sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) lo = g_inet_address_new_from_string("127.0.0.1");
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  ASSERT_TRUE(g_socket_bind(sock, any, FALSE, nullptr));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(sock, nullptr);
  const int port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  g_object_unref(sock);

  const std::string uri = "rtsp://127.0.0.1:" + std::to_string(port) + "/cam";
  const CliRun r = run_check({"-m", kModel, "-f", "json", "--timeout", "5", uri});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const json res = json::parse(r.out)["results"][0];
  EXPECT_EQ(res["status"], "stream_error") << res.dump();
  EXPECT_NE(res["reason"].get<std::string>().find("cannot read the source"), std::string::npos) << res.dump();
}
