// `focusmeter check rtsp://...`: a live stream served in the test by
// gst-rtsp-server on 127.0.0.1 (port chosen by the system) from a sharp
// JPEG; check watches it for --to seconds and reports a stream result with a
// timeline. Also: a stream that refuses the connection is unreachable,
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

const std::string kModel = std::string(FOCUSMETER_TEST_DATA) + "/models/check-model.json";

using check_test::CliRun;
using check_test::run_check;

// An RTSP server on 127.0.0.1 and a port the system picks, run by its own
// main loop thread for the life of the object.
class LoopbackCamera {
 public:
  // With a `password`, the server wants Basic authentication as "admin".
  explicit LoopbackCamera(const std::string& jpeg_path, const std::string& password = "") {
    gst_init(nullptr, nullptr);
    context_ = g_main_context_new();
    loop_ = g_main_loop_new(context_, FALSE);
    server_ = gst_rtsp_server_new();
    gst_rtsp_server_set_address(server_, "127.0.0.1");
    gst_rtsp_server_set_service(server_, "0");
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    // Live, like a camera (a non-live source gives every picture one timestamp).
    const std::string launch = "( filesrc location=\"" + jpeg_path +
                               "\" ! jpegdec ! imagefreeze is-live=true ! video/x-raw,framerate=5/1 ! jpegenc ! "
                               "rtpjpegpay name=pay0 pt=26 )";
    gst_rtsp_media_factory_set_launch(factory, launch.c_str());
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    if (!password.empty()) {
      g_autoptr(GstRTSPAuth) auth = gst_rtsp_auth_new();
      GstRTSPToken* token =
          gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "viewer", nullptr);
      g_autofree gchar* basic = gst_rtsp_auth_make_basic("admin", password.c_str());
      gst_rtsp_auth_add_basic(auth, basic, token);
      gst_rtsp_token_unref(token);
      gst_rtsp_server_set_auth(server_, auth);
      gst_rtsp_media_factory_add_role(factory, "viewer", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                      GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, nullptr);
    }
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

// Classified as scan classifies it (one stream path): unreachable.
TEST(CheckStream, RefusedStreamIsUnreachable) {
  // Bound but not listening until the check has run: nobody else can take
  // the port meanwhile, and connecting to it is refused.
  const check_test::RefusingPort closed;
  const int port = closed.port();
  ASSERT_GT(port, 0);

  const std::string uri = "rtsp://127.0.0.1:" + std::to_string(port) + "/cam";
  const CliRun r = run_check({"-m", kModel, "-f", "json", "--timeout", "5", uri});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const json res = json::parse(r.out)["results"][0];
  EXPECT_EQ(res["status"], "unreachable") << res.dump();
  EXPECT_NE(res["reason"].get<std::string>().find("cannot connect"), std::string::npos) << res.dump();
}

// A camera that wants a password: check gets it from --password-file and
// hands it to rtspsrc (user-id/user-pw); it shows up nowhere, not even in
// rtspsrc's debug log or the snapshot's file name. Without it: not ok.
TEST(CheckStream, PasswordProtectedStream) {
  const auto dir = std::filesystem::temp_directory_path() / ("focusmeter-auth-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string jpeg = (dir / "cam.jpg").string();
  ASSERT_TRUE(cv::imwrite(jpeg, check_test::sharp_picture()));
  const std::string pw_file = (dir / "pw").string();
  ASSERT_TRUE(g_file_set_contents(pw_file.c_str(), "Zq7-hunter22\n", -1, nullptr));
  {
    LoopbackCamera cam(jpeg, "Zq7-hunter22");
    ASSERT_GT(cam.port(), 0);
    const std::string uri = "rtsp://127.0.0.1:" + std::to_string(cam.port()) + "/cam";
    const std::string snaps = (dir / "snaps").string();
    const CliRun r = run_check({"-m", kModel, "-f", "json", "--to", "1.5", "--every", "0.5", "--user", "admin",
                                "--password-file", pw_file, "--snapshots", snaps, uri},
                               {{"GST_DEBUG", "rtspsrc:6"}});
    EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 4000);
    EXPECT_EQ(r.out.find("hunter22"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("hunter22"), std::string::npos);
    const json res = json::parse(r.out)["results"][0];
    EXPECT_EQ(res["status"], "ok") << res.dump();
    EXPECT_EQ(res["source"], "rtsp://admin:***@127.0.0.1:" + std::to_string(cam.port()) + "/cam");
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(snaps)) {
      EXPECT_EQ(e.path().string().find("hunter22"), std::string::npos) << e.path();
      ++files;
    }
    EXPECT_EQ(files, 1);

    const CliRun denied = run_check({"-m", kModel, "-f", "json", "--timeout", "5", uri});
    EXPECT_EQ(denied.exit_code, 2) << denied.out;
    EXPECT_NE(json::parse(denied.out)["results"][0]["status"], "ok");
  }
  std::filesystem::remove_all(dir);
}
