// Test media made at run time: a sharp test picture, its blurred copy, and
// clips encoded with GStreamer from such frames (so the tests need no binary
// fixtures beyond the parity photos and never depend on a fixed clip).
#pragma once

#include <gio/gio.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <utility>
#include <vector>

#include "../common/focusmeter_run.h"
#include "../common/refusing_port.h"

namespace check_test {

using focusmeter_test::RefusingPort;

// One run of `focusmeter check`.
struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs `focusmeter check ARGS...` (FOCUSMETER_EXE) through the tests' one
// runner, with `env` added to the test's own environment.
inline CliRun run_check(const std::vector<std::string>& args,
                        const std::vector<std::pair<std::string, std::string>>& env = {}) {
  std::vector<std::string> argv = {"check"};
  argv.insert(argv.end(), args.begin(), args.end());
  const focusmeter_test::RunResult run = focusmeter_test::run_focusmeter(argv, {env.begin(), env.end()});
  return {run.status, run.out, run.err};
}

// The parity fixture "camera" photo: sharp, with real texture.
inline cv::Mat sharp_picture() {
  return cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/camera_512x512.png", cv::IMREAD_COLOR);
}

inline cv::Mat blurred(const cv::Mat& m, double sigma = 3.0) {
  cv::Mat out;
  cv::GaussianBlur(m, out, cv::Size(0, 0), sigma);
  return out;
}

// Encodes `seconds` of video at `fps` to `path`: frames before `blur_from`
// seconds are the sharp picture, the rest blurred. `encoder` is a
// gst-launch fragment from raw video to a muxed byte stream, e.g.
// "jpegenc ! avimux" or "x264enc ! mp4mux". Returns "" or an error line.
inline std::string make_clip(const std::string& path, double seconds, int fps, double blur_from,
                             const std::string& encoder) {
  gst_init(nullptr, nullptr);
  const cv::Mat sharp = sharp_picture();
  if (sharp.empty()) return "cannot read the sharp fixture";
  const cv::Mat soft = blurred(sharp);
  const std::string desc =
      "appsrc name=src format=time caps=video/x-raw,format=BGR,width=" + std::to_string(sharp.cols) +
      ",height=" + std::to_string(sharp.rows) + ",framerate=" + std::to_string(fps) + "/1 ! videoconvert ! " + encoder +
      " ! filesink location=\"" + path + "\"";
  g_autoptr(GError) err = nullptr;
  g_autoptr(GstElement) pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!pipeline) return err ? err->message : "parse error";
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  const int frames = static_cast<int>(seconds * fps);
  for (int i = 0; i < frames; ++i) {
    const double t = double(i) / fps;
    const cv::Mat& m = t < blur_from ? sharp : soft;
    const gsize size = m.total() * m.elemSize();
    GstBuffer* buf = gst_buffer_new_allocate(nullptr, size, nullptr);
    gst_buffer_fill(buf, 0, m.data, size);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, fps);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, fps);
    gst_app_src_push_buffer(GST_APP_SRC(src), buf);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_element_set_state(pipeline, GST_STATE_NULL);
  if (!msg) return "encoding timed out";
  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) return "encoding failed";
  return "";
}

// A short audio-only file (no video track at all).
inline std::string make_audio_only(const std::string& path) {
  gst_init(nullptr, nullptr);
  const std::string desc =
      "audiotestsrc num-buffers=50 ! audioconvert ! vorbisenc ! oggmux ! filesink location=\"" + path + "\"";
  g_autoptr(GError) err = nullptr;
  g_autoptr(GstElement) pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!pipeline) return "cannot build the audio pipeline";
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS ? "" : "audio encoding failed";
}

}  // namespace check_test
