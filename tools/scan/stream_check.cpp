#include "scan/stream_check.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "scan/routes.h"

namespace focusmeter::scan {

namespace {

struct PipelineDeleter {
  void operator()(GstElement* p) const {
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(p);
  }
};
using PipelinePtr = std::unique_ptr<GstElement, PipelineDeleter>;

// What the streaming threads tell the bus loop.
struct Progress {
  std::atomic<bool> described{false};  // DESCRIBE answered: streams offered
  std::atomic<bool> saw_video{false};
};

// rtspsrc "select-stream": take video, leave audio and metadata alone, so
// a camera with a microphone does not stall decodebin.
gboolean on_select_stream(GstElement*, guint, GstCaps* caps, gpointer data) {
  auto* progress = static_cast<Progress*>(data);
  progress->described = true;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const char* media = s ? gst_structure_get_string(s, "media") : nullptr;
  const bool video = media && g_str_equal(media, "video");
  if (video) progress->saw_video = true;
  return video;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

// Reads one focusmeter element message into features; false if it is not one.
bool read_frame_message(GstMessage* msg, FeatureVector& fv, int& width, int& height) {
  const GstStructure* s = gst_message_get_structure(msg);
  if (!s || !gst_structure_has_name(s, "focusmeter")) return false;
  gboolean final = FALSE;
  gst_structure_get_boolean(s, "final", &final);
  if (final) return false;
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    std::string field(feature_name(f));
    for (char& c : field)
      if (c == '_') c = '-';
    double v = 0;
    if (gst_structure_get_double(s, field.c_str(), &v)) fv.set(f, v);
  }
  gst_structure_get_int(s, "width", &width);
  gst_structure_get_int(s, "height", &height);
  return true;
}

cv::Mat sample_to_bgr(GstSample* sample) {
  GstVideoInfo info;
  if (!gst_video_info_from_caps(&info, gst_sample_get_caps(sample))) return {};
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) return {};
  cv::Mat view(GST_VIDEO_FRAME_HEIGHT(&frame), GST_VIDEO_FRAME_WIDTH(&frame), CV_8UC3,
               GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0));
  cv::Mat copy = view.clone();
  gst_video_frame_unmap(&frame);
  return copy;
}

std::string error_reason(cli::Status status, const GError* err, bool described, bool saw_video,
                         const std::string& user) {
  switch (status) {
    case cli::Status::AuthFailed:
      return user.empty() ? "camera requires credentials (401); give --user and --password-file"
                          : "credentials rejected (401 Unauthorized)";
    case cli::Status::NotFound:
      return "no stream at this path (404 Not Found)";
    case cli::Status::Unreachable:
      return std::string("cannot connect: ") + err->message;
    default:
      break;
  }
  if (described && !saw_video) return "the camera offers no video track";
  if (err->domain == GST_CORE_ERROR && err->code == GST_CORE_ERROR_MISSING_PLUGIN)
    return std::string("no decoder for this stream: ") + err->message;
  if (err->domain == GST_STREAM_ERROR && err->code == GST_STREAM_ERROR_CODEC_NOT_FOUND)
    return std::string("no decoder for this stream: ") + err->message;
  if (err->domain == GST_STREAM_ERROR && err->code == GST_STREAM_ERROR_DECODE)
    return std::string("cannot decode the video: ") + err->message;
  if (!described) return std::string("not an RTSP answer: ") + err->message;
  return std::string("stream error: ") + err->message;
}

}  // namespace

cli::Status classify_error(const GError* err, bool described, bool saw_streams, bool saw_video) {
  if (err->domain == GST_RESOURCE_ERROR) {
    if (err->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED) return cli::Status::AuthFailed;
    if (err->code == GST_RESOURCE_ERROR_NOT_FOUND) return cli::Status::NotFound;
    // rtspsrc's "Could not open resource for reading and writing": the TCP
    // connection itself failed (the probe passed, the camera went away).
    if (err->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE && !described) return cli::Status::Unreachable;
  }
  (void)saw_streams;
  (void)saw_video;
  return cli::Status::StreamError;
}

StreamOutcome check_stream(const std::string& url, const std::string& user, const std::string& password,
                           const StreamCheckOptions& options, gint64 deadline_us) {
  StreamOutcome out;
  const double budget_s = std::max<gint64>(0, deadline_us - g_get_monotonic_time()) / 1e6;
  const std::string sink_part = options.want_frame
                                    ? "videoconvert ! video/x-raw,format=BGR ! appsink name=sink max-buffers=1 "
                                      "drop=true sync=false"
                                    : "fakesink sync=false";
  const std::string launch =
      "rtspsrc name=src protocols=tcp latency=200 teardown-timeout=100000000 ! decodebin ! videoconvert ! "
      "focusmeter name=fm post-messages=true ! " +
      sink_part;
  g_autoptr(GError) err = nullptr;
  PipelinePtr pipeline(gst_parse_launch(launch.c_str(), &err));
  if (!pipeline || err) {
    out.reason = std::string("cannot build the pipeline: ") + (err ? err->message : "unknown error");
    return out;
  }
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline.get()), "src");
  g_autoptr(GstElement) fm = gst_bin_get_by_name(GST_BIN(pipeline.get()), "fm");
  Progress progress;
  // The server-silence bound: a little past our own deadline, so that our
  // deadline (status timeout) fires first.
  const guint64 tcp_timeout_us = static_cast<guint64>((budget_s + 1.0) * 1e6);
  g_object_set(src, "location", url.c_str(), "tcp-timeout", tcp_timeout_us, nullptr);
  if (!user.empty()) g_object_set(src, "user-id", user.c_str(), "user-pw", password.c_str(), nullptr);
  g_signal_connect(src, "select-stream", G_CALLBACK(on_select_stream), &progress);
  const int frames = std::max(1, options.frames);
  const guint64 interval = frames > 1 ? static_cast<guint64>(options.spread_seconds / frames * GST_SECOND) : 0;
  g_object_set(fm, "interval", interval, nullptr);

  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline.get());
  gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);

  bool ended = false;
  while (static_cast<int>(out.frames.size()) < frames && !ended) {
    const gint64 left_us = deadline_us - g_get_monotonic_time();
    if (left_us <= 0) break;
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(
        bus, static_cast<GstClockTime>(left_us) * GST_USECOND,
        static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT));
    if (!msg) break;
    switch (GST_MESSAGE_TYPE(msg)) {
      case GST_MESSAGE_ELEMENT: {
        FeatureVector fv;
        if (read_frame_message(msg, fv, out.width, out.height)) out.frames.push_back(fv);
        break;
      }
      case GST_MESSAGE_EOS:
        ended = true;
        if (out.frames.empty()) {
          out.status = cli::Status::StreamError;
          out.reason = "the stream ended before any frame was decoded";
          return out;
        }
        break;
      case GST_MESSAGE_ERROR: {
        g_autoptr(GError) e = nullptr;
        g_autofree gchar* debug = nullptr;
        gst_message_parse_error(msg, &e, &debug);
        if (!out.frames.empty()) {  // decided from what was analysed so far
          ended = true;
          break;
        }
        out.described = progress.described;
        out.status = classify_error(e, progress.described, progress.described, progress.saw_video);
        out.reason = scrub_secret(error_reason(out.status, e, progress.described, progress.saw_video, user), password);
        return out;
      }
      default:
        break;
    }
  }

  out.described = progress.described;
  if (out.frames.empty()) {
    out.status = cli::Status::Timeout;
    out.reason = progress.described
                     ? (progress.saw_video ? "stream set up but no decodable frame within " + seconds_text(budget_s)
                                           : "the camera offers no video track")
                     : "connected but no RTSP answer within " + seconds_text(budget_s);
    if (progress.described && !progress.saw_video) out.status = cli::Status::StreamError;
    return out;
  }
  out.status = cli::Status::Ok;
  if (static_cast<int>(out.frames.size()) < frames)
    out.reason = "decided from " + std::to_string(out.frames.size()) + " of " + std::to_string(frames) + " frames (" +
                 (ended ? "stream ended" : "time ran out") + ")";
  if (options.want_frame) {
    g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink");
    g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), GST_SECOND / 2);
    if (sample) out.frame = sample_to_bgr(sample);
  }
  return out;
}

}  // namespace focusmeter::scan
