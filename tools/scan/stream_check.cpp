#include "scan/stream_check.h"

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>

#include "gstreamer/gst_pipeline.h"
#include "scan/routes.h"

namespace focusmeter::scan {

namespace {

// What the streaming threads share with check_stream. Lives in the
// OwnedPipeline, so it outlives every streaming thread whatever the return.
struct StreamContext {
  std::atomic<bool> described{false};  // DESCRIBE answered: streams offered
  std::atomic<bool> saw_video{false};
  // The analysed frame, when wanted: the sink-pad probe holds the buffer the
  // element is working on; the bus sync handler, run in the same streaming
  // thread while the element posts that frame's message, keeps it.
  GstElement* fm = nullptr;  // borrowed: the pipeline holds it
  std::mutex mutex;
  GstBuffer* current = nullptr;
  GstSample* analysed = nullptr;   // the last analysed frame
  int kept = 0, keep_at_most = 0;  // frames past those check_stream reads are not kept

  StreamContext() = default;
  StreamContext(const StreamContext&) = delete;
  StreamContext& operator=(const StreamContext&) = delete;
  ~StreamContext() {
    if (current) gst_buffer_unref(current);
    if (analysed) gst_sample_unref(analysed);
  }
};

// rtspsrc "select-stream": take video, leave audio and metadata alone, so
// a camera with a microphone does not stall decodebin.
gboolean on_select_stream(GstElement*, guint, GstCaps* caps, gpointer data) {
  auto* ctx = static_cast<StreamContext*>(data);
  ctx->described = true;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const char* media = s ? gst_structure_get_string(s, "media") : nullptr;
  const bool video = media && g_str_equal(media, "video");
  if (video) ctx->saw_video = true;
  return video;
}

GstPadProbeReturn on_fm_buffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* ctx = static_cast<StreamContext*>(data);
  std::lock_guard<std::mutex> lock(ctx->mutex);
  gst_buffer_replace(&ctx->current, GST_PAD_PROBE_INFO_BUFFER(info));
  return GST_PAD_PROBE_OK;
}

// Keeps the frame behind each per-frame message; the message itself goes on
// to the bus for check_stream.
GstBusSyncReply on_sync_message(GstBus*, GstMessage* msg, gpointer data) {
  auto* ctx = static_cast<StreamContext*>(data);
  if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT || GST_MESSAGE_SRC(msg) != GST_OBJECT(ctx->fm)) return GST_BUS_PASS;
  gboolean final = FALSE;
  const GstStructure* s = gst_message_get_structure(msg);
  if (!gst_structure_has_name(s, "focusmeter") || !gst_structure_get_boolean(s, "final", &final) || final)
    return GST_BUS_PASS;
  g_autoptr(GstPad) pad = gst_element_get_static_pad(ctx->fm, "sink");
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
  std::lock_guard<std::mutex> lock(ctx->mutex);
  if (caps && ctx->current && ctx->kept < ctx->keep_at_most) {
    ++ctx->kept;
    if (ctx->analysed) gst_sample_unref(ctx->analysed);
    ctx->analysed = gst_sample_new(ctx->current, caps, nullptr, nullptr);
  }
  return GST_BUS_PASS;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

// Reads one per-frame focusmeter message; false if it is not one.
bool read_frame_message(GstMessage* msg, FrameOutcome& frame, int& width, int& height) {
  const GstStructure* s = gst_message_get_structure(msg);
  if (!s || !gst_structure_has_name(s, "focusmeter")) return false;
  gboolean final = FALSE;
  gst_structure_get_boolean(s, "final", &final);
  if (final) return false;
  frame.features = cli::features_from_structure(s);
  double score = 0;
  if (gst_structure_get_double(s, "score", &score)) {
    frame.score = score;
    const char* verdict = gst_structure_get_string(s, "verdict");
    frame.blurry = verdict && g_str_equal(verdict, "BLURRY");
  }
  gboolean low = FALSE;
  gst_structure_get_boolean(s, "low-texture", &low);
  frame.low_texture = low;
  gst_structure_get_int(s, "width", &width);
  gst_structure_get_int(s, "height", &height);
  return true;
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

cli::Status classify_error(const GError* err, bool described) {
  if (err->domain == GST_RESOURCE_ERROR) {
    if (err->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED) return cli::Status::AuthFailed;
    if (err->code == GST_RESOURCE_ERROR_NOT_FOUND) return cli::Status::NotFound;
    // rtspsrc's "Could not open resource for reading and writing": the TCP
    // connection itself failed (the probe passed, the camera went away).
    if (err->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE && !described) return cli::Status::Unreachable;
  }
  return cli::Status::StreamError;
}

StreamOutcome check_stream(const std::string& url, const std::string& user, const std::string& password,
                           const StreamCheckOptions& options, gint64 deadline_us) {
  StreamOutcome out;
  const double budget_s = std::max<gint64>(0, deadline_us - g_get_monotonic_time()) / 1e6;
  const std::string launch =
      "rtspsrc name=src protocols=tcp latency=200 teardown-timeout=100000000 ! decodebin ! videoconvert ! "
      "focusmeter name=fm post-messages=true ! fakesink sync=false";
  g_autoptr(GError) err = nullptr;
  // Declared before anything the pipeline's threads may reach, and holding
  // all of it: every return below stops the pipeline first.
  cli::OwnedPipeline<StreamContext> run;
  run.pipeline.reset(gst_parse_launch(launch.c_str(), &err));
  if (!run.pipeline || err) {
    out.reason = std::string("cannot build the pipeline: ") + (err ? err->message : "unknown error");
    return out;
  }
  StreamContext& ctx = run.context;
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(run.get()), "src");
  g_autoptr(GstElement) fm = gst_bin_get_by_name(GST_BIN(run.get()), "fm");
  // The server-silence bound: a little past our own deadline, so that our
  // deadline (status timeout) fires first.
  const guint64 tcp_timeout_us = static_cast<guint64>((budget_s + 1.0) * 1e6);
  g_object_set(src, "location", url.c_str(), "tcp-timeout", tcp_timeout_us, nullptr);
  if (!user.empty()) g_object_set(src, "user-id", user.c_str(), "user-pw", password.c_str(), nullptr);
  g_signal_connect(src, "select-stream", G_CALLBACK(on_select_stream), &ctx);
  const int frames = std::max(1, options.frames);
  const guint64 interval = frames > 1 ? static_cast<guint64>(options.spread_seconds / frames * GST_SECOND) : 0;
  // Always name the model: left unset, the element would load its default
  // ($FOCUSMETER_MODEL) and score with a model the scan did not choose.
  g_object_set(fm, "interval", interval, "model", options.model_path.c_str(), "threshold", options.threshold, nullptr);

  g_autoptr(GstBus) bus = gst_element_get_bus(run.get());
  if (options.want_frame) {
    ctx.fm = fm;
    ctx.keep_at_most = frames;
    g_autoptr(GstPad) fm_sink = gst_element_get_static_pad(fm, "sink");
    gst_pad_add_probe(fm_sink, GST_PAD_PROBE_TYPE_BUFFER, on_fm_buffer, &ctx, nullptr);
    gst_bus_set_sync_handler(bus, on_sync_message, &ctx, nullptr);
  }
  gst_element_set_state(run.get(), GST_STATE_PLAYING);

  bool ended = false;
  while (static_cast<int>(out.frames.size()) < frames && !ended) {
    g_autoptr(GstMessage) msg = cli::pop_before(
        bus, deadline_us, static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT));
    if (!msg) break;
    switch (GST_MESSAGE_TYPE(msg)) {
      case GST_MESSAGE_ELEMENT: {
        FrameOutcome frame;
        if (GST_MESSAGE_SRC(msg) == GST_OBJECT(fm) && read_frame_message(msg, frame, out.width, out.height))
          out.frames.push_back(frame);
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
        out.described = ctx.described;
        out.status = classify_error(e, ctx.described);
        out.reason = scrub_secret(error_reason(out.status, e, ctx.described, ctx.saw_video, user), password);
        return out;
      }
      default:
        break;
    }
  }
  run.stop();  // no streaming thread left: ctx is ours alone from here

  out.described = ctx.described;
  if (out.frames.empty()) {
    out.status = cli::Status::Timeout;
    out.reason = ctx.described
                     ? (ctx.saw_video ? "stream set up but no decodable frame within " + seconds_text(budget_s)
                                      : "the camera offers no video track")
                     : "connected but no RTSP answer within " + seconds_text(budget_s);
    if (ctx.described && !ctx.saw_video) out.status = cli::Status::StreamError;
    return out;
  }
  out.status = cli::Status::Ok;
  if (static_cast<int>(out.frames.size()) < frames)
    out.reason = "decided from " + std::to_string(out.frames.size()) + " of " + std::to_string(frames) + " frames (" +
                 (ended ? "stream ended" : "time ran out") + ")";
  // The frame behind the last message read, not whatever arrived later.
  if (ctx.analysed) out.frame = cli::sample_to_mat(ctx.analysed, GST_VIDEO_FORMAT_BGR);
  return out;
}

}  // namespace focusmeter::scan
