// Clips and streams: one pipeline per input,
//
//   uridecodebin (video only) ! videoconvert ! focusmeter interval=EVERY ! fakesink sync=false
//
// The element analyses one frame per interval and posts a `focusmeter`
// message for it; the frame tap (common/frame_tap.h: in the streaming thread,
// while that frame is still the one the element was given) turns each
// message into a timeline sample and keeps the most BLURRY frame for the report. The worker
// thread that runs this only watches the bus for the end, an error or a
// stall, so a corrupt file or a silent camera ends with a reason, never a hang.
#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "check/check.h"
#include "gstreamer/element_model.h"
#include "gstreamer/frame_tap.h"
#include "gstreamer/gst_pipeline.h"

namespace focusmeter::check {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(GstClockTime t) { return GST_CLOCK_TIME_IS_VALID(t) ? double(t) / GST_SECOND : 0.0; }
GstClockTime clock_time(double s) { return static_cast<GstClockTime>(std::llround(s * GST_SECOND)); }

// Shared between the streaming threads (probe, sync handler, pad-added) and
// the worker thread that owns the pipeline.
struct ClipState {
  std::mutex mutex;
  std::vector<Sample> samples;
  std::array<double, kFeatureCount> feature_sums{};
  FeatureMask features_seen;
  int width = 0, height = 0;
  GstSegment segment{};         // the element's segment, for the end time
  double end_time = 0;          // stream time where the last buffer ends
  GstSample* chosen = nullptr;  // most BLURRY analysed frame (or first without a model)
  double chosen_score = -1;
  std::size_t low_texture = 0;  // analysed frames with too little structure to judge
  std::string no_verdict;       // the element's reason when the model gave a frame no verdict
  bool want_frame = false;
  std::atomic<bool> have_video{false};
  std::atomic<std::int64_t> last_progress{0};  // Clock ticks of the last buffer

  void touch() { last_progress = Clock::now().time_since_epoch().count(); }
  // Forgets what was analysed so far (the preroll frame, before a --from seek).
  void forget_samples() {
    std::lock_guard<std::mutex> lock(mutex);
    samples.clear();
    feature_sums = {};
    features_seen.reset();
    end_time = 0;
    if (chosen) gst_sample_unref(chosen);
    chosen = nullptr;
    chosen_score = -1;
    low_texture = 0;
    no_verdict.clear();
  }
  ~ClipState() {
    if (chosen) gst_sample_unref(chosen);
  }
};

// Everything the streaming threads' callbacks point to, kept in the
// OwnedPipeline so that it outlives them whichever way check_clip returns.
struct ClipContext {
  ClipState state;
  gst::FrameTap tap;
  GstElement* convert = nullptr;  // borrowed: the pipeline holds it
  double timeout = 10.0;          // seconds, for the source's own network waits
};

GstPadProbeReturn on_sink_data(GstPad*, GstPadProbeInfo* info, gpointer user) {
  auto* st = static_cast<ClipState*>(user);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    st->touch();
    std::lock_guard<std::mutex> lock(st->mutex);
    GstClockTime end = GST_BUFFER_PTS(buf);
    if (GST_CLOCK_TIME_IS_VALID(end) && GST_BUFFER_DURATION_IS_VALID(buf)) end += GST_BUFFER_DURATION(buf);
    const GstClockTime stream_end = gst_segment_to_stream_time(&st->segment, GST_FORMAT_TIME, end);
    if (GST_CLOCK_TIME_IS_VALID(stream_end)) st->end_time = std::max(st->end_time, seconds(stream_end));
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_SEGMENT) {
      const GstSegment* seg = nullptr;
      gst_event_parse_segment(ev, &seg);
      std::lock_guard<std::mutex> lock(st->mutex);
      gst_segment_copy_into(seg, &st->segment);
    }
  }
  return GST_PAD_PROBE_OK;
}

// One analysed frame: record it; keep the frame if it is the most BLURRY so far.
void take_sample(ClipState* st, const FrameResult& fr, GstSample* picture) {
  Sample sample;
  sample.time = seconds(fr.stream_time);
  const bool scored = fr.score.has_value();
  if (scored) {
    sample.score = *fr.score;
    sample.verdict = fr.verdict.value_or(Verdict::Clear);
  }
  std::lock_guard<std::mutex> lock(st->mutex);
  if (fr.no_verdict && st->no_verdict.empty()) st->no_verdict = *fr.no_verdict;
  // Features only (no model): timeline times without scores. A frame the
  // model gave no verdict is not a sample: the clip reports the reason.
  if (scored || !fr.no_verdict) st->samples.push_back(sample);
  st->low_texture += fr.low_texture ? 1 : 0;
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    if (fr.features.present.test(i)) {
      st->feature_sums[i] += fr.features.values[i];
      st->features_seen.set(i);
    }
  }
  st->width = fr.width;
  st->height = fr.height;
  if (picture && (!st->chosen || (scored && *fr.score > st->chosen_score))) {
    if (st->chosen) gst_sample_unref(st->chosen);
    st->chosen = gst_sample_ref(picture);
    st->chosen_score = scored ? *fr.score : 0;
  }
}

void on_pad_added(GstElement*, GstPad* pad, gpointer user) {
  auto* ctx = static_cast<ClipContext*>(user);
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  if (!caps || gst_caps_is_empty(caps)) return;
  if (!g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/")) return;
  g_autoptr(GstPad) sink = gst_element_get_static_pad(ctx->convert, "sink");
  if (gst_pad_is_linked(sink)) return;  // first video track only
  if (GST_PAD_LINK_SUCCESSFUL(gst_pad_link(pad, sink))) ctx->state.have_video = true;
}

// Sets up the source for bounded, TCP waits on cameras (rtspsrc).
void on_source_setup(GstElement*, GstElement* source, gpointer user) {
  const double timeout = static_cast<const ClipContext*>(user)->timeout;
  GObjectClass* klass = G_OBJECT_GET_CLASS(source);
  if (g_object_class_find_property(klass, "tcp-timeout"))
    g_object_set(source, "tcp-timeout", static_cast<guint64>(timeout * G_USEC_PER_SEC), nullptr);
  if (g_object_class_find_property(klass, "timeout") &&
      G_IS_PARAM_SPEC_UINT(g_object_class_find_property(klass, "timeout")))
    g_object_set(source, "timeout", static_cast<guint>(std::max(1.0, timeout)), nullptr);  // souphttpsrc, seconds
}

std::string error_reason(GstMessage* msg, const ClipState& st) {
  g_autoptr(GError) err = nullptr;
  g_autofree gchar* debug = nullptr;
  gst_message_parse_error(msg, &err, &debug);
  GstObject* origin = GST_MESSAGE_SRC(msg);
  GstElementFactory* factory =
      origin && GST_IS_ELEMENT(origin) ? gst_element_get_factory(GST_ELEMENT(origin)) : nullptr;
  const std::string part = factory ? std::string(" (") + GST_OBJECT_NAME(factory) + ")" : "";
  // uridecodebin names its source element "source": a failure there is about
  // reaching the data (network, server, file), not about what it contains.
  if (origin && g_strcmp0(GST_OBJECT_NAME(origin), "source") == 0)
    return "cannot read the source: " + std::string(err ? err->message : "error") + part;
  if (!st.have_video && err &&
      (g_error_matches(err, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED) ||
       g_error_matches(err, GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND) ||
       g_error_matches(err, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN) ||
       (debug && std::strstr(debug, "not-linked"))))
    return "no video track (audio-only, or no decoder for its video)";
  // Name the part that failed (a demuxer, a decoder), not the whole debug text.
  return std::string(err ? err->message : "pipeline error") + part;
}

GstElement* make(const char* factory, std::string& missing) {
  GstElement* e = gst_element_factory_make(factory, nullptr);
  if (!e && missing.empty()) missing = factory;
  return e;
}

// --seek: instead of decoding everything and analysing one frame per
// interval, jump to each analysis time (flushing key-unit seeks, snapped to
// the nearest keyframe) and analyse the frame that prerolls there. Wins when
// keyframes are closer together than --every; see docs/check.md for numbers.
// Returns false with r.status/r.reason set when the clip cannot be seeked.
bool seek_through(GstElement* pipeline, GstBus* bus, ClipState& state, const CheckSettings& s, report::Result& r) {
  gint64 duration = -1;
  gst_element_query_duration(pipeline, GST_FORMAT_TIME, &duration);
  double stop = duration > 0 ? seconds(GstClockTime(duration)) : 0;
  if (s.to) stop = duration > 0 ? std::min(stop, *s.to) : *s.to;
  if (stop <= 0) {
    r.status = report::Status::Error;
    r.reason = "--seek needs a clip of known duration";
    return false;
  }
  state.forget_samples();
  for (double t = s.from.value_or(0); t < stop; t += s.every) {
    if (!gst_element_seek_simple(
            pipeline, GST_FORMAT_TIME,
            GstSeekFlags(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT | GST_SEEK_FLAG_SNAP_NEAREST), clock_time(t))) {
      r.status = report::Status::Error;
      r.reason = "cannot seek in this clip (try without --seek)";
      return false;
    }
    g_autoptr(GstMessage) msg =
        gst::pop_before(bus, g_get_monotonic_time() + static_cast<gint64>(s.timeout * G_USEC_PER_SEC),
                        GstMessageType(GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    if (!msg) {
      r.status = report::Status::Timeout;
      r.reason = "no frame within " + std::to_string(int(s.timeout)) + " s of seeking to " + std::to_string(t) + " s";
      return false;
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      r.status = report::Status::Error;
      r.reason = error_reason(msg, state);
      return false;
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) break;
  }
  std::lock_guard<std::mutex> lock(state.mutex);
  // Several seeks can snap to the same keyframe: one sample per frame.
  std::stable_sort(state.samples.begin(), state.samples.end(),
                   [](const Sample& a, const Sample& b) { return a.time < b.time; });
  state.samples.erase(std::unique(state.samples.begin(), state.samples.end(),
                                  [](const Sample& a, const Sample& b) { return a.time == b.time; }),
                      state.samples.end());
  state.end_time = stop;
  return true;
}

}  // namespace

void fold_timeline(const std::vector<Sample>& samples, double end, double blurry_share, report::Result& r) {
  r.timeline.clear();
  double total = 0, blurry = 0, weighted = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    report::Segment seg;
    seg.start = samples[i].time;
    seg.end = i + 1 < samples.size() ? samples[i + 1].time : std::max(end, samples[i].time);
    seg.score = samples[i].score;
    seg.verdict = samples[i].verdict;
    // A one-frame clip still counts: give its only segment a nominal weight.
    const double len = seg.end > seg.start ? seg.end - seg.start : (samples.size() == 1 ? 1.0 : 0.0);
    total += len;
    weighted += len * seg.score;
    if (seg.verdict == Verdict::Blurry) blurry += len;
    r.timeline.push_back(seg);
  }
  if (total <= 0) return;
  r.blurry_share = blurry / total;
  r.score = weighted / total;
  r.verdict = *r.blurry_share >= blurry_share ? Verdict::Blurry : Verdict::Clear;
}

Checked check_clip(const Input& in, const CheckSettings& s) {
  const auto t0 = Clock::now();
  Checked c;
  report::Result& r = c.result;
  r.source = in.source;
  r.kind = input_kind_name(in.kind);
  r.status = report::Status::Error;
  auto done = [&]() -> Checked {
    r.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    return std::move(c);
  };

  std::string missing;
  // Before anything the pipeline's threads may reach, and holding all of it:
  // every `return done()` below stops the pipeline first.
  gst::OwnedPipeline<ClipContext> run;
  run.pipeline.reset(gst_pipeline_new("check"));
  GstElement* pipeline = run.get();
  ClipContext& ctx = run.context;
  ClipState& state = ctx.state;
  GstElement* src = make("uridecodebin", missing);
  GstElement* convert = make("videoconvert", missing);
  GstElement* fm = make("focusmeter", missing);
  GstElement* sink = make("fakesink", missing);
  for (GstElement* e : {src, convert, fm, sink})
    if (e) gst_bin_add(GST_BIN(pipeline), e);  // the bin owns them from here
  if (!missing.empty()) {
    r.status = report::Status::Error;
    r.reason = "GStreamer element '" + missing + "' is not installed" +
               (missing == "focusmeter" ? " (is the focusmeter plugin in GST_PLUGIN_PATH?)" : "");
    return done();
  }
  g_autoptr(GstCaps) video_only = gst_caps_from_string("video/x-raw(ANY)");
  g_object_set(src, "uri", in.uri.c_str(), "caps", video_only, "expose-all-streams", FALSE, nullptr);
  g_object_set(fm, "interval", clock_time(s.every), nullptr);
  gst::set_element_model(fm, s.model, s.threshold);
  g_object_set(sink, "sync", FALSE, nullptr);
  if (!gst_element_link_many(convert, fm, sink, nullptr)) {
    r.reason = "cannot build the analysis pipeline";
    return done();
  }

  state.want_frame = s.want_frame;
  gst_segment_init(&state.segment, GST_FORMAT_TIME);
  state.touch();
  ctx.convert = convert;
  ctx.timeout = s.timeout;
  g_signal_connect(src, "pad-added", G_CALLBACK(on_pad_added), &ctx);
  g_signal_connect(src, "source-setup", G_CALLBACK(on_source_setup), &ctx);
  gst::connect_stream_credentials(src, in.credentials);  // user-id/user-pw, never in the URI
  {
    g_autoptr(GstPad) fm_sink = gst_element_get_static_pad(fm, "sink");
    gst_pad_add_probe(fm_sink, GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                      on_sink_data, &state, nullptr);
  }
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  ctx.tap.attach(fm, bus, s.want_frame, false,
                 [&state](const FrameResult& fr, GstSample* picture) { take_sample(&state, fr, picture); });

  // Pause first: files preroll (so --from can seek), live sources say so.
  const GstStateChangeReturn ret = gst_element_set_state(pipeline, GST_STATE_PAUSED);
  const bool live = ret == GST_STATE_CHANGE_NO_PREROLL;
  auto stalled = [&] {
    const auto last = Clock::time_point(Clock::duration(state.last_progress.load()));
    return std::chrono::duration<double>(Clock::now() - last).count() > s.timeout;
  };
  auto fail_from = [&](GstMessage* msg) {
    r.status = in.kind == InputKind::Stream ? report::Status::StreamError : report::Status::Error;
    r.reason = error_reason(msg, state);
  };
  bool finished = false;
  if (ret == GST_STATE_CHANGE_FAILURE) {
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(bus, 0, GST_MESSAGE_ERROR);
    if (msg)
      fail_from(msg);
    else
      r.reason = "cannot open " + in.uri;
    return done();
  }
  if (!live) {
    // Wait for the first frame (preroll), bounded.
    while (true) {
      g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(
          bus, 100 * GST_MSECOND, GstMessageType(GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
      if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        fail_from(msg);
        return done();
      }
      if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
        finished = true;
        break;
      }
      if (msg) break;  // ASYNC_DONE
      if (stalled()) {
        r.status = report::Status::Timeout;
        r.reason = "no decodable video frame within " + std::to_string(int(s.timeout)) + " s";
        return done();
      }
    }
    if (!finished && (s.from || s.to)) {
      // The preroll frame (time 0) went through the element already; the
      // streaming thread is parked in the sink, so nothing races this.
      if (s.from) state.forget_samples();
      const GstSeekType stop_type = s.to ? GST_SEEK_TYPE_SET : GST_SEEK_TYPE_NONE;
      if (!gst_element_seek(pipeline, 1.0, GST_FORMAT_TIME, GstSeekFlags(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE),
                            GST_SEEK_TYPE_SET, clock_time(s.from.value_or(0)), stop_type,
                            s.to ? clock_time(*s.to) : GST_CLOCK_TIME_NONE)) {
        r.reason = "cannot seek in this clip (--from/--to)";
        return done();
      }
    }
  }
  if (!live && !finished && s.seek && s.every > 0) {
    finished = seek_through(pipeline, bus, state, s, r);
    if (!finished) return done();  // r says why
  }
  if (!finished) gst_element_set_state(pipeline, GST_STATE_PLAYING);
  const auto play_start = Clock::now();
  const double watch = s.to ? *s.to - s.from.value_or(0) : s.stream_seconds;
  bool eos_sent = false;
  std::string warning;  // the first decoder complaint, reported beside an ok result
  int warnings = 0;
  while (!finished) {
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(
        bus, 100 * GST_MSECOND, GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_WARNING));
    if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING) {
      g_autoptr(GError) err = nullptr;
      gst_message_parse_warning(msg, &err, nullptr);
      if (warnings++ == 0 && err) warning = err->message;
      continue;
    }
    if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      bool have_samples;
      {
        std::lock_guard<std::mutex> lock(state.mutex);
        have_samples = !state.samples.empty();
      }
      if (!have_samples) {
        fail_from(msg);
        return done();
      }
      // Keep the timeline up to the failure: a clip that breaks at 3 h still says how its first 3 h looked.
      r.reason = "stopped early: " + error_reason(msg, state);
      break;
    }
    if (msg) break;  // EOS
    if (live && !eos_sent && std::chrono::duration<double>(Clock::now() - play_start).count() >= watch) {
      gst_element_send_event(pipeline, gst_event_new_eos());
      eos_sent = true;
      state.touch();
    }
    if (stalled()) {
      if (!state.samples.empty() && eos_sent) break;  // the stream will not finish cleanly; keep what we have
      if (state.samples.empty()) {
        r.status = report::Status::Timeout;
        r.reason = "no decodable video frame within " + std::to_string(int(s.timeout)) + " s";
        return done();
      }
      r.reason = "stalled for " + std::to_string(int(s.timeout)) + " s: the timeline stops there";
      break;
    }
  }
  run.stop();  // stops the streaming threads before the state is read

  std::lock_guard<std::mutex> lock(state.mutex);
  if (s.model && !state.no_verdict.empty()) {
    // A frame without a score must not count as CLEAR in the timeline.
    r.reason = "no verdict: " + state.no_verdict;
    return done();
  }
  if (state.samples.empty()) {
    r.status = report::Status::Error;
    r.reason = state.have_video ? "no video frame in the selected time range" : "no video track";
    return done();
  }
  r.status = report::Status::Ok;
  if (warnings > 0) {
    const std::string w = "decoder reported " + std::to_string(warnings) + " problem(s), first: " + warning;
    r.reason = r.reason.empty() ? w : r.reason + "; " + w;
  }
  r.width = state.width;
  r.height = state.height;
  for (std::size_t i = 0; i < kFeatureCount; ++i)
    if (state.features_seen.test(i))
      r.features.set(static_cast<Feature>(i), state.feature_sums[i] / double(state.samples.size()));
  double end = state.end_time;
  if (s.to) end = std::min(end, *s.to);
  if (s.model) fold_timeline(state.samples, end, s.blurry_share, r);
  // Several --seek stops can land on one frame: count it once at most.
  report::note_low_texture(r, std::min(state.low_texture, state.samples.size()), state.samples.size());
  if (s.want_frame && state.chosen) c.frame = gst::sample_to_mat(state.chosen, GST_VIDEO_FORMAT_GRAY8);
  return done();
}

}  // namespace focusmeter::check
