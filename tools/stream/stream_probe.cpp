#include "stream/stream_probe.h"

#include <gst/gst.h>
#include <gst/rtsp/gstrtspdefs.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "cli/url.h"
#include "gstreamer/element_model.h"
#include "gstreamer/frame_tap.h"
#include "gstreamer/gst_pipeline.h"

namespace focusmeter::stream {

namespace {

// Enough for a burst of 4K keyframe packets (a 4K IDR is 0.5-2 MB) between
// two reads; the kernel caps it at net.core.rmem_max (docs/scan.md).
constexpr guint kUdpBufferBytes = 8u << 20;
// How long past the deadline tearing the pipeline down may take before the
// caller stops waiting for it.
constexpr gint64 kStopGraceUs = 500 * 1000;

// What the streaming threads share with probe_stream. Lives in the
// OwnedPipeline, so it outlives every streaming thread whatever the return.
struct ProbeContext {
  std::atomic<bool> described{false};  // DESCRIBE answered: streams offered
  std::atomic<bool> saw_video{false};
  bool keyframes_only = false;
  // Before the decoder: access units seen, delta units dropped while
  // waiting for the first keyframe, and whether it came.
  std::atomic<guint64> units{0};
  std::atomic<guint64> dropped_before_keyframe{0};
  std::atomic<bool> keyframe_seen{false};
  gst::FrameTap tap;
  std::mutex mutex;
  GstSample* kept = nullptr;  // the last judged picture among those probe_stream reads
  int kept_count = 0, keep_at_most = 0;

  ProbeContext() = default;
  ProbeContext(const ProbeContext&) = delete;
  ProbeContext& operator=(const ProbeContext&) = delete;
  ~ProbeContext() {
    if (kept) gst_sample_unref(kept);
  }
};

// rtspsrc "select-stream": take video, leave audio and metadata alone, so
// a camera with a microphone does not stall decodebin.
gboolean on_select_stream(GstElement*, guint, GstCaps* caps, gpointer data) {
  auto* ctx = static_cast<ProbeContext*>(data);
  ctx->described = true;
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const char* media = s ? gst_structure_get_string(s, "media") : nullptr;
  const bool video = media && g_str_equal(media, "video");
  if (video) ctx->saw_video = true;
  return video;
}

// On the video decoder's sink pad, where the parser hands over whole access
// units with DELTA_UNIT set on everything but keyframes.
GstPadProbeReturn on_access_unit(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* ctx = static_cast<ProbeContext*>(data);
  GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
  ++ctx->units;
  const bool delta = GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
  if (!delta) {
    ctx->keyframe_seen = true;
    return GST_PAD_PROBE_OK;
  }
  if (!ctx->keyframe_seen) {
    ++ctx->dropped_before_keyframe;  // a P-frame without its keyframe: a grey picture
    return GST_PAD_PROBE_DROP;
  }
  return ctx->keyframes_only ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

// decodebin plugs the decoder once the caps are known: gate its input.
void on_deep_element_added(GstBin*, GstBin*, GstElement* element, gpointer data) {
  GstElementFactory* factory = gst_element_get_factory(element);
  if (!factory) return;
  const char* klass = gst_element_factory_get_metadata(factory, GST_ELEMENT_METADATA_KLASS);
  if (!klass || !std::strstr(klass, "Decoder") || !std::strstr(klass, "Video")) return;
  g_autoptr(GstPad) sink = gst_element_get_static_pad(element, "sink");
  if (sink) gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER, on_access_unit, data, nullptr);
  // Keyframes only: a picture a GOP apart, nothing for frame threads to
  // overlap. libav's default starts a thread per core per check, each with
  // its own decoding context and frame buffers; one thread does the same
  // work with less memory (docs/watch.md, "Cost of a check").
  auto* ctx = static_cast<ProbeContext*>(data);
  if (ctx->keyframes_only && g_object_class_find_property(G_OBJECT_GET_CLASS(element), "max-threads"))
    g_object_set(element, "max-threads", 1, nullptr);
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

// The RTSP status of an error answer, read from the debug text of
// rtspsrc 1.22's error: its last line is "<phrase> (<code>)" for DESCRIBE
// answers it has no case for (message "Unhandled error") and "Error
// (<code>): <phrase>" for SETUP's (message "Could not write to resource.").
// 0 when there is none.
int rtsp_status_in(const char* debug) {
  if (!debug) return 0;
  const char* line = std::strrchr(debug, '\n');
  line = line ? line + 1 : debug;
  for (const char* p = std::strchr(line, '('); p; p = std::strchr(p + 1, '(')) {
    if (g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2]) && g_ascii_isdigit(p[3]) && p[4] == ')')
      return (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  }
  return 0;
}

// The server refused the transport asked for in SETUP: 461 Unsupported
// transport, which rtspsrc 1.22 reports as STREAM/CODEC_NOT_FOUND "No
// supported stream was found. You might need to allow more transport
// protocols ...", or 400 Bad Request. rtspsrc posts the same error when
// select-stream declined every stream, so it is a refusal only when a
// video stream was offered: an audio-only camera is not retried over UDP.
bool transport_refused(const GError* err, int rtsp_status, bool described, bool saw_video) {
  if (!described || !saw_video || !err || !err->message) return false;
  return rtsp_status == 461 || rtsp_status == 400 || std::strstr(err->message, "transport protocols") != nullptr ||
         std::strstr(err->message, "461") != nullptr || std::strstr(err->message, "Bad Request") != nullptr;
}

std::string error_reason(report::Status status, const GError* err, int rtsp_status, bool described, bool saw_video,
                         const std::string& user) {
  switch (status) {
    case report::Status::AuthFailed:
      return user.empty() ? "camera requires credentials (401); give --user and --password-file"
                          : "credentials rejected (401 Unauthorized)";
    case report::Status::NotFound:
      return "no stream at this path (404 Not Found)";
    case report::Status::Unreachable:
      return std::string("cannot connect: ") + err->message;
    default:
      break;
  }
  if (described && !saw_video) return "the camera offers no video track";
  if (transport_refused(err, rtsp_status, described, saw_video))
    return std::string("the camera refused this RTP transport (461 Unsupported transport or 400): ") + err->message;
  if (rtsp_status == 503)
    return "the camera is busy: 503 Service Unavailable (too many clients, or its stream is restarting)";
  if (rtsp_status >= 400 && rtsp_status < 600)
    return "the camera answered " + std::to_string(rtsp_status) + " " +
           gst_rtsp_status_as_text(static_cast<GstRTSPStatusCode>(rtsp_status));
  if (err->domain == GST_CORE_ERROR && err->code == GST_CORE_ERROR_MISSING_PLUGIN)
    return std::string("no decoder for this stream: ") + err->message;
  if (err->domain == GST_STREAM_ERROR && err->code == GST_STREAM_ERROR_CODEC_NOT_FOUND)
    return std::string("no decoder for this stream: ") + err->message;
  if (err->domain == GST_STREAM_ERROR && err->code == GST_STREAM_ERROR_DECODE)
    return std::string("cannot decode the video: ") + err->message;
  if (!described) return std::string("not an RTSP answer: ") + err->message;
  return std::string("stream error: ") + err->message;
}

// One attempt over one transport.
ProbeOutcome probe_once(const std::string& url, const std::string& user, const std::string& password,
                        const ProbeOptions& options, Transport transport, gint64 deadline_us, GError** refused) {
  ProbeOutcome out;
  out.transport = transport;
  const gint64 start_us = g_get_monotonic_time();
  const double budget_s = std::max<gint64>(0, deadline_us - start_us) / 1e6;
  // TCP delivers in order: the jitterbuffer has nothing to wait for, and
  // any latency there only delays the first picture. UDP may reorder.
  const int latency_ms = transport == Transport::Udp ? 100 : 0;
  const std::string launch = "rtspsrc name=src teardown-timeout=100000000 latency=" + std::to_string(latency_ms) +
                             " ! decodebin ! videoconvert ! focusmeter name=fm post-messages=true ! "
                             "fakesink sync=false";
  g_autoptr(GError) err = nullptr;
  // Shared with the thread that stops it (gst::stop_before): the pipeline
  // and everything its threads may reach live as long as either needs them.
  auto run = std::make_shared<gst::OwnedPipeline<ProbeContext>>();
  run->pipeline.reset(gst_parse_launch(launch.c_str(), &err));
  if (!run->pipeline || err) {
    out.reason = std::string("cannot build the pipeline: ") + (err ? err->message : "unknown error");
    return out;
  }
  ProbeContext& ctx = run->context;
  ctx.keyframes_only = options.keyframes_only;
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(run->get()), "src");
  g_autoptr(GstElement) fm = gst_bin_get_by_name(GST_BIN(run->get()), "fm");
  // The server-silence bound: a little past our own deadline, so that our
  // deadline (status timeout) fires first.
  const guint64 tcp_timeout_us = static_cast<guint64>((budget_s + 1.0) * 1e6);
  g_object_set(src, "location", url.c_str(), "tcp-timeout", tcp_timeout_us, "udp-buffer-size", kUdpBufferBytes,
               nullptr);
  gst_util_set_object_arg(G_OBJECT(src), "protocols",
                          transport == Transport::Udp    ? "udp"
                          : transport == Transport::Http ? "tcp+http"
                                                         : "tcp");
  if (!user.empty()) g_object_set(src, "user-id", user.c_str(), "user-pw", password.c_str(), nullptr);
  g_signal_connect(src, "select-stream", G_CALLBACK(on_select_stream), &ctx);
  g_signal_connect(run->get(), "deep-element-added", G_CALLBACK(on_deep_element_added), &ctx);
  const int frames = std::max(1, options.frames);
  // Keyframes only: every picture the decoder makes is worth judging.
  const guint64 interval =
      options.keyframes_only || frames <= 1 ? 0 : static_cast<guint64>(options.spread_seconds / frames * GST_SECOND);
  // Always name the model: left unset, the element would load its default
  // ($FOCUSMETER_MODEL, else the compiled-in one) and score with a model the
  // caller did not choose.
  g_object_set(fm, "interval", interval, nullptr);
  if (options.roi)
    g_object_set(fm, "roi-left", options.roi->left, "roi-top", options.roi->top, "roi-width", options.roi->width,
                 "roi-height", options.roi->height, nullptr);
  gst::set_element_model(fm, options.model, options.threshold);

  g_autoptr(GstBus) bus = gst_element_get_bus(run->get());
  ctx.keep_at_most = frames;
  ProbeContext* c = &ctx;
  ctx.tap.attach(fm, bus, options.want_frame, true, [c](const FrameResult&, GstSample* picture) {
    if (!picture) return;
    std::lock_guard<std::mutex> lock(c->mutex);
    if (c->kept_count >= c->keep_at_most) return;  // past those probe_stream reads
    ++c->kept_count;
    if (c->kept) gst_sample_unref(c->kept);
    c->kept = gst_sample_ref(picture);
  });
  gst_element_set_state(run->get(), GST_STATE_PLAYING);

  bool ended = false;
  bool failed = false;
  while (static_cast<int>(out.frames.size()) < frames && !ended && !failed) {
    g_autoptr(GstMessage) msg = gst::pop_before(
        bus, deadline_us, static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT));
    if (!msg) break;
    switch (GST_MESSAGE_TYPE(msg)) {
      case GST_MESSAGE_ELEMENT:
        if (const GstStructure* s = focusmeter_structure(msg, fm))
          if (auto frame = FrameResult::from_structure(s)) {
            if (out.frames.empty()) out.first_picture_s = (g_get_monotonic_time() - start_us) / 1e6;
            out.width = frame->width;
            out.height = frame->height;
            out.skipped = frame->skipped;
            out.frames.push_back(std::move(*frame));
          }
        break;
      case GST_MESSAGE_EOS:
        ended = true;
        if (out.frames.empty()) {
          failed = true;
          out.status = report::Status::StreamError;
          out.reason = "the stream ended before any picture was decoded";
        }
        break;
      case GST_MESSAGE_ERROR: {
        g_autoptr(GError) e = nullptr;
        g_autofree gchar* debug = nullptr;
        gst_message_parse_error(msg, &e, &debug);
        if (!out.frames.empty()) {  // decided from what was judged so far
          ended = true;
          break;
        }
        failed = true;
        out.status = classify_error(e, ctx.described);
        const int rtsp_status = rtsp_status_in(debug);
        out.reason =
            cli::scrub_secret(error_reason(out.status, e, rtsp_status, ctx.described, ctx.saw_video, user), password);
        for (const std::string& secret : cli::query_secrets(url)) out.reason = cli::scrub_secret(out.reason, secret);
        out.busy = rtsp_status == 503;
        if (refused && transport_refused(e, rtsp_status, ctx.described, ctx.saw_video)) *refused = g_error_copy(e);
        break;
      }
      default:
        break;
    }
  }
  // Stopped from outside, within a second past the deadline whatever the peer does.
  const bool stopped = gst::stop_before(run, std::max(deadline_us, g_get_monotonic_time()) + kStopGraceUs);
  out.described = ctx.described;
  if (failed) return out;

  out.dropped_before_keyframe = ctx.dropped_before_keyframe;
  if (out.frames.empty()) {
    out.status = report::Status::Timeout;
    if (!ctx.described) {
      out.reason = "connected but no RTSP answer within " + seconds_text(budget_s);
    } else if (!ctx.saw_video) {
      out.status = report::Status::StreamError;
      out.reason = "the camera offers no video track";
    } else if (ctx.units > 0) {
      out.status = report::Status::NoPicture;
      out.reason = std::to_string(ctx.units.load()) + " frames arrived but none decoded cleanly within " +
                   seconds_text(budget_s) +
                   (ctx.keyframe_seen ? "" : " (no keyframe; raise --timeout above the camera's keyframe interval)");
    } else {
      out.reason = "stream set up but no video frame arrived within " + seconds_text(budget_s);
    }
    return out;
  }
  out.status = report::Status::Ok;
  if (static_cast<int>(out.frames.size()) < frames)
    out.reason = "decided from " + std::to_string(out.frames.size()) + " of " + std::to_string(frames) + " pictures (" +
                 (ended ? "stream ended" : "time ran out") + ")";
  // The picture behind the last message read, not whatever arrived later
  // (read only once no streaming thread can touch it).
  std::lock_guard<std::mutex> lock(ctx.mutex);
  if (stopped && ctx.kept) out.frame = gst::sample_to_mat(ctx.kept, GST_VIDEO_FORMAT_BGR);
  return out;
}

// A camera that answers 503 Service Unavailable is busy, not broken: real
// cameras do while their encoder restarts or when they serve as many
// clients as they allow, and gst-rtsp-server does while a shared stream is
// being torn down for its last client. Asked again a moment later, it
// usually answers; so up to kBusyRetries more attempts, kBusyPauseUs apart,
// while at least kBusyMinBudgetUs of the deadline is left.
constexpr int kBusyRetries = 3;
constexpr gint64 kBusyPauseUs = 300 * 1000;
constexpr gint64 kBusyMinBudgetUs = 1000 * 1000;

ProbeOutcome probe_patiently(const std::string& url, const std::string& user, const std::string& password,
                             const ProbeOptions& options, Transport transport, gint64 deadline_us, GError** refused) {
  ProbeOutcome out = probe_once(url, user, password, options, transport, deadline_us, refused);
  for (int retry = 1; retry <= kBusyRetries && out.busy; ++retry) {
    if (deadline_us - g_get_monotonic_time() < kBusyPauseUs * retry + kBusyMinBudgetUs) break;
    g_usleep(static_cast<gulong>(kBusyPauseUs * retry));
    out = probe_once(url, user, password, options, transport, deadline_us, refused);
  }
  return out;
}

}  // namespace

std::optional<Transport> parse_transport(const std::string& name) {
  if (name == "auto") return Transport::Auto;
  if (name == "tcp") return Transport::Tcp;
  if (name == "udp") return Transport::Udp;
  if (name == "http") return Transport::Http;
  return std::nullopt;
}

const char* transport_name(Transport t) {
  switch (t) {
    case Transport::Auto:
      return "auto";
    case Transport::Tcp:
      return "tcp";
    case Transport::Udp:
      return "udp";
    case Transport::Http:
      return "http";
  }
  return "auto";
}

report::Status classify_error(const GError* err, bool described) {
  if (err->domain == GST_RESOURCE_ERROR) {
    if (err->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED) return report::Status::AuthFailed;
    if (err->code == GST_RESOURCE_ERROR_NOT_FOUND) return report::Status::NotFound;
    // rtspsrc's "Could not open resource for reading and writing": the TCP
    // connection itself failed (the probe passed, the camera went away).
    if (err->code == GST_RESOURCE_ERROR_OPEN_READ_WRITE && !described) return report::Status::Unreachable;
  }
  return report::Status::StreamError;
}

void load_decoders() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_autoptr(GstCaps) camera_video = gst_caps_from_string("video/x-h264; video/x-h265; image/jpeg");
    GList* factories = gst_element_factory_list_get_elements(
        GST_ELEMENT_FACTORY_TYPE_DECODER | GST_ELEMENT_FACTORY_TYPE_PARSER, GST_RANK_MARGINAL);
    for (GList* l = factories; l; l = l->next) {
      auto* factory = GST_ELEMENT_FACTORY(l->data);
      if (!gst_element_factory_can_sink_any_caps(factory, camera_video)) continue;
      if (GstPluginFeature* loaded = gst_plugin_feature_load(GST_PLUGIN_FEATURE(factory))) gst_object_unref(loaded);
    }
    gst_plugin_feature_list_free(factories);
  });
}

ProbeOutcome probe_stream(const std::string& url, const std::string& user, const std::string& password,
                          const ProbeOptions& options, gint64 deadline_us) {
  if (options.transport != Transport::Auto)
    return probe_patiently(url, user, password, options, options.transport, deadline_us, nullptr);
  // Auto: RTP over TCP first (one connection, no firewall or socket-buffer
  // trouble); UDP when the server refuses TCP.
  g_autoptr(GError) refused = nullptr;
  ProbeOutcome tcp = probe_patiently(url, user, password, options, Transport::Tcp, deadline_us, &refused);
  if (!refused) return tcp;
  ProbeOutcome udp = probe_patiently(url, user, password, options, Transport::Udp, deadline_us, nullptr);
  const std::string why = "server does not offer RTP over TCP; tried UDP";
  udp.reason = udp.reason.empty() ? why : why + ": " + udp.reason;
  return udp;
}

bool decide(const ProbeOutcome& o, const Model* model, std::optional<double> blurry_share, report::Result& r) {
  FeatureVector mean;
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    double sum = 0;
    std::size_t n = 0;
    for (const auto& frame : o.frames)
      if (frame.features.has(f)) {
        sum += frame.features[f];
        ++n;
      }
    if (n == o.frames.size() && n > 0) mean.set(f, sum / n);
  }
  r.features = mean;
  // The last judged picture's map: the picture a report shows (ProbeOutcome::frame).
  if (!o.frames.empty()) r.map = o.frames.back().map;
  if (o.frames.empty()) return true;
  Aggregate aggregate(blurry_share);
  for (const auto& frame : o.frames) {
    Judgement j = frame.judgement();
    if (!model)
      j = Judgement{std::nullopt, std::nullopt, NoVerdict{NoVerdictKind::NoModel, "features only (no model asked for)"},
                    frame.low_texture};
    if (j.no_verdict && j.no_verdict->kind == NoVerdictKind::NoScore) {
      // The element gave this picture no score (its model's score was not
      // finite): no verdict rather than a guess.
      r.reason = "no verdict: " + j.no_verdict->detail;
      return false;
    }
    aggregate.add(j, frame.running_seconds());
  }
  report::apply_aggregate(r, aggregate.result());
  report::note_partial_focus(r);
  return true;
}

}  // namespace focusmeter::stream
