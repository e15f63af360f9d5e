/**
 * SECTION:element-focusmeter
 *
 * Measures whether the video is in focus. For each analysed frame it posts an
 * element message named `focusmeter` (a FrameResult, focusmeter_message.h)
 * with:
 *  - `timestamp`, `stream-time`, `running-time`, `duration` (GstClockTime)
 *  - `laplacian-variance`, `laplacian-max`, `noise-sigma`, `scharr-variance`,
 *    `brightness`, `contrast` (gdouble; see docs/features.md), plus `texture`
 *    and any further feature the model reads
 *  - `low-texture` (gboolean): too little structure to judge focus (flat
 *    wall, lens cap, black night)
 *  - `verdict` ("CLEAR", "BLURRY" or "UNKNOWN") when a model is loaded; with
 *    CLEAR/BLURRY, `score` (gdouble, probability of BLURRY); with UNKNOWN
 *    (nothing to judge: too dark, no detail; or a score that is not finite),
 *    no score but `no-verdict` (the reason, one line) and `no-verdict-kind`
 *    ("too_dark", "no_detail", "no_score"; focusmeter/judgement.h)
 *  - `frames` (guint64, analysed so far), `width`, `height` (gint, the frame)
 *    and `roi-left`, `roi-top`, `roi-width`, `roi-height` (gint, the region
 *    analysed)
 *  - `skipped-corrupted`, `skipped-gap`, `skipped-decode-only` (guint64):
 *    buffers passed through without being judged so far (below)
 *  - `final` (gboolean): FALSE on per-frame messages. On EOS one last
 *    message with `final` = TRUE (a StreamSummary) summarises the stream:
 *    `frames`, the skip counters and, with a model, the verdict of the one
 *    temporal rule (focusmeter/aggregate.h: BLURRY when at least
 *    `blurry-share`, by default half, of the judged time is BLURRY,
 *    UNKNOWN when nothing was judged) with
 *    `judged-frames`, `blurry-frames`, `unknown-frames`, `blurry-share`,
 *    `unknown-share`, `mean-score` (focusmeter_message.h).
 *
 * Only real pictures are judged: a buffer flagged CORRUPTED (a decoder
 * concealing missing data, such as the grey pictures after joining a live
 * stream between keyframes), GAP or DECODE_ONLY passes through untouched and
 * is only counted.
 *
 * The element never modifies or copies buffers (frames are mapped read-only).
 *
 * The model comes from `model-object` when set (a boxed
 * std::shared_ptr<const focusmeter::Model>, focusmeter_model_object.h, for
 * applications that already hold a loaded model); else from the file named
 * by `model` (read on start); else from $FOCUSMETER_MODEL when set; else the
 * model compiled into the plugin (models/default.json at build time), so the
 * element judges with no file, prefix or environment. A named model (the
 * property or the variable) that is missing or invalid stops the element at
 * start with an error, never a silent fall-back. `model` = "" asks for
 * features only: no verdict fields at all.
 *
 * No C++ exception crosses into GStreamer's C frames: start, the property
 * setters and the per-frame analysis catch them. A model that fails while
 * scoring posts an element error; any other failure on one frame posts a
 * warning and lets the frame through unanalysed.
 *
 * |[
 * gst-launch-1.0 -m filesrc location=clip.mp4 ! decodebin ! videoconvert ! focusmeter ! fakesink
 * gst-launch-1.0 -m rtspsrc location=rtsp://127.0.0.1:8554/cam ! decodebin ! focusmeter interval=2000000000 ! fakesink
 * ]|
 */
#include "gstfocusmeter.h"

#include <gst/video/video.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "focusmeter/aggregate.h"
#include "focusmeter/features.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/judgement.h"
#include "focusmeter/model.h"
#include "focusmeter/parameters.h"
#include "focusmeter/static_tiles.h"
#include "focusmeter_message.h"
#include "focusmeter_model_object.h"
#include "frame_luma.h"

GST_DEBUG_CATEGORY_STATIC(gst_focusmeter_debug);
#define GST_CAT_DEFAULT gst_focusmeter_debug

namespace params = focusmeter::parameters;

#define DEFAULT_MODEL nullptr
#define DEFAULT_INTERVAL params::Interval::kDefaultNs
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_ROI 0

enum {
  PROP_0,
  PROP_MODEL,
  PROP_MODEL_OBJECT,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
  PROP_THRESHOLD,
  PROP_BLURRY_SHARE,
  PROP_ROI_LEFT,
  PROP_ROI_TOP,
  PROP_ROI_WIDTH,
  PROP_ROI_HEIGHT,
  PROP_LAST_SCORE,
  PROP_LAST_VERDICT,
};

namespace {

// Settings written by property setters and read by the streaming thread,
// always under the object lock.
// What each frame reads: plain values, copied once per frame.
struct FrameSettings {
  GstClockTime interval = DEFAULT_INTERVAL;
  bool post_messages = DEFAULT_POST_MESSAGES;
  std::optional<double> threshold;  // none: the model's own
  focusmeter::Rect roi;
};

struct Settings {
  std::optional<std::string> model;                     // nullopt: the default model; read in start()
  FocusmeterModel model_object;                         // set: used instead of `model`
  double blurry_share = params::BlurryShare::kDefault;  // the EOS summary's cut; read in start()
  FrameSettings frame;
};

// Results readable as properties, also under the object lock.
struct LastResult {
  double score = -1;
  std::string verdict;
};

// State owned by the streaming thread (touched in start/stop/transform and
// serialized events only).
struct Stream {
  std::shared_ptr<const focusmeter::Model> model;
  bool warned_no_verdict = false;  // one element warning per run, then debug logs
  bool warned_frame_failure = false;
  // Testing aids, see gst_focusmeter_start.
  bool inject_scoring_fault = false;
  bool inject_nan_features = false;
  GstClockTime next_time = GST_CLOCK_TIME_NONE;  // running time of the next analysis
  GstClockTime interval = GST_CLOCK_TIME_NONE;   // the interval next_time was set with
  guint64 frames = 0;
  focusmeter::Aggregate aggregate;     // the EOS summary's verdict (focusmeter/aggregate.h)
  focusmeter::SkippedBuffers skipped;  // buffers not judged (flags), see transform_ip
  std::vector<std::uint8_t> scratch;   // converted luma for packed formats
  // Tiles identical over the last analysed frames while the rest changes
  // leave the vote like overlays (focusmeter/static_tiles.h); one stream's
  // history, forgotten on start, flush and caps changes.
  focusmeter::StaticTileTracker static_tiles;

  void reset_counts(double blurry_share) {
    next_time = GST_CLOCK_TIME_NONE;
    static_tiles.reset();
    frames = 0;
    aggregate = focusmeter::Aggregate(blurry_share);
    warned_no_verdict = warned_frame_failure = false;
    skipped = {};
  }
};

}  // namespace

// C++ state lives in a plain struct owned by the GObject: created in init,
// deleted in finalize.
struct FocusmeterPrivate {
  Settings settings;
  LastResult last;
  Stream stream;
};

struct _GstFocusmeter {
  GstVideoFilter parent;
  FocusmeterPrivate* priv;
};

G_DEFINE_TYPE(GstFocusmeter, gst_focusmeter, GST_TYPE_VIDEO_FILTER)
GST_ELEMENT_REGISTER_DEFINE(focusmeter, "focusmeter", GST_RANK_NONE, GST_TYPE_FOCUSMETER)

// Under the object lock. May throw (std::string, std::bad_alloc): the caller
// catches, since nothing may unwind into GObject's C frames.
static void set_property_locked(GstFocusmeter* self, guint prop_id, const GValue* value, GParamSpec* pspec) {
  Settings& s = self->priv->settings;
  switch (prop_id) {
    case PROP_MODEL: {
      const gchar* path = g_value_get_string(value);
      s.model = path ? std::optional<std::string>(path) : std::nullopt;
      break;
    }
    case PROP_MODEL_OBJECT: {
      const auto* model = static_cast<const FocusmeterModel*>(g_value_get_boxed(value));
      s.model_object = model ? *model : nullptr;
      break;
    }
    case PROP_INTERVAL:
      s.frame.interval = g_value_get_uint64(value);
      break;
    case PROP_POST_MESSAGES:
      s.frame.post_messages = g_value_get_boolean(value);
      break;
    case PROP_THRESHOLD: {
      // The one place the property's -1 becomes "the model's own".
      const double v = g_value_get_double(value);
      if (params::Threshold::valid(v))
        s.frame.threshold = params::Threshold::from_value(v);
      else
        GST_WARNING_OBJECT(self, "threshold %g ignored: %s", v, params::Threshold::kRule);
      break;
    }
    case PROP_BLURRY_SHARE:
      s.blurry_share = g_value_get_double(value);  // the GParamSpec's range is the rule
      break;
    case PROP_ROI_LEFT:
      s.frame.roi.left = g_value_get_int(value);
      break;
    case PROP_ROI_TOP:
      s.frame.roi.top = g_value_get_int(value);
      break;
    case PROP_ROI_WIDTH:
      s.frame.roi.width = g_value_get_int(value);
      break;
    case PROP_ROI_HEIGHT:
      s.frame.roi.height = g_value_get_int(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(G_OBJECT(self), prop_id, pspec);
      break;
  }
}

static void gst_focusmeter_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_FOCUSMETER(object);
  GST_OBJECT_LOCK(self);
  try {
    set_property_locked(self, prop_id, value, pspec);
  } catch (const std::exception& e) {
    GST_WARNING_OBJECT(self, "property %s not set: %s", pspec->name, e.what());
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_focusmeter_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_FOCUSMETER(object);
  const Settings& s = self->priv->settings;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string(value, s.model ? s.model->c_str() : nullptr);
      break;
    case PROP_INTERVAL:
      g_value_set_uint64(value, s.frame.interval);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean(value, s.frame.post_messages);
      break;
    case PROP_MODEL_OBJECT:
      g_value_set_boxed(value, s.model_object ? &s.model_object : nullptr);
      break;
    case PROP_THRESHOLD:
      g_value_set_double(value, params::Threshold::to_value(s.frame.threshold));
      break;
    case PROP_BLURRY_SHARE:
      g_value_set_double(value, s.blurry_share);
      break;
    case PROP_ROI_LEFT:
      g_value_set_int(value, s.frame.roi.left);
      break;
    case PROP_ROI_TOP:
      g_value_set_int(value, s.frame.roi.top);
      break;
    case PROP_ROI_WIDTH:
      g_value_set_int(value, s.frame.roi.width);
      break;
    case PROP_ROI_HEIGHT:
      g_value_set_int(value, s.frame.roi.height);
      break;
    case PROP_LAST_SCORE:
      g_value_set_double(value, self->priv->last.score);
      break;
    case PROP_LAST_VERDICT:
      g_value_set_string(value, self->priv->last.verdict.empty() ? nullptr : self->priv->last.verdict.c_str());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

// Takes the model: `model-object` when set, else "" in `model` means
// features only, else focusmeter::select_model (the file named by `model`,
// $FOCUSMETER_MODEL, the compiled-in model). A named model that fails to
// load throws ModelError (the caller turns it into an element error).
static void take_model(GstFocusmeter* self) {
  GST_OBJECT_LOCK(self);
  const std::optional<std::string> named = self->priv->settings.model;
  FocusmeterModel object = self->priv->settings.model_object;
  GST_OBJECT_UNLOCK(self);

  Stream& st = self->priv->stream;
  if (object) {
    st.model = std::move(object);
    GST_INFO_OBJECT(self, "using model \"%s\" (%s) from model-object", st.model->name().c_str(),
                    st.model->origin().c_str());
    return;
  }
  if (named && named->empty()) {
    GST_INFO_OBJECT(self, "model=\"\": posting features only");
    return;
  }
  st.model = focusmeter::select_model(named);
  GST_INFO_OBJECT(self, "using model \"%s\" from %s", st.model->name().c_str(), st.model->origin().c_str());
}

static gboolean gst_focusmeter_start(GstBaseTransform* trans) {
  auto* self = GST_FOCUSMETER(trans);
  Stream& st = self->priv->stream;
  st.model.reset();
  GST_OBJECT_LOCK(self);
  const double blurry_share = self->priv->settings.blurry_share;
  GST_OBJECT_UNLOCK(self);
  st.reset_counts(blurry_share);
  // Testing aids (tests/element, tests/check), as serve's --debug-delay-ms:
  // FOCUSMETER_ELEMENT_TEST_FAULT=score makes every scoring throw, to prove
  // the element survives a throwing core; =nan hands the model NaN features,
  // to prove a score that is not finite never becomes a verdict downstream.
  const gchar* fault = g_getenv("FOCUSMETER_ELEMENT_TEST_FAULT");
  st.inject_scoring_fault = g_strcmp0(fault, "score") == 0;
  st.inject_nan_features = g_strcmp0(fault, "nan") == 0;
  GST_OBJECT_LOCK(self);
  self->priv->last = LastResult{};  // nothing analysed yet in this run
  GST_OBJECT_UNLOCK(self);
  try {
    take_model(self);
  } catch (const std::exception& e) {
    GST_OBJECT_LOCK(self);
    const std::string name = self->priv->settings.model.value_or(
        focusmeter::environment_model_path().value_or(focusmeter::kCompiledInModelOrigin));
    GST_OBJECT_UNLOCK(self);
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("Could not load focus model \"%s\".", name.c_str()),
                      ("%s", e.what()));
    st.model.reset();
    return FALSE;
  }
  return TRUE;
}

static gboolean gst_focusmeter_stop(GstBaseTransform* trans) {
  auto* self = GST_FOCUSMETER(trans);
  self->priv->stream.model.reset();
  self->priv->stream.scratch = {};
  return TRUE;
}

static void post_final_message(GstFocusmeter* self) {
  Stream& st = self->priv->stream;
  GST_OBJECT_LOCK(self);
  const bool post = self->priv->settings.frame.post_messages;
  GST_OBJECT_UNLOCK(self);
  if (!post) return;

  focusmeter::StreamSummary summary;
  summary.frames = st.frames;
  summary.skipped = st.skipped;
  if (st.model) summary.aggregate = st.aggregate.result();
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), summary.to_structure()));
}

static gboolean gst_focusmeter_sink_event(GstBaseTransform* trans, GstEvent* event) {
  auto* self = GST_FOCUSMETER(trans);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_FLUSH_STOP:
      // A seek or a restart: the frames before it say nothing about what
      // stays the same in the frames after.
      self->priv->stream.static_tiles.reset();
      self->priv->stream.next_time = GST_CLOCK_TIME_NONE;
      break;
    case GST_EVENT_SEGMENT:
      // Running time restarts: re-anchor the interval on the next frame.
      self->priv->stream.next_time = GST_CLOCK_TIME_NONE;
      break;
    case GST_EVENT_CAPS:
      self->priv->stream.static_tiles.reset();  // another picture format or size
      break;
    case GST_EVENT_EOS:
      post_final_message(self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_focusmeter_parent_class)->sink_event(trans, event);
}

// Whether the frame at running time `rt` is due for analysis. Frames without
// a timestamp are always analysed. Anchoring on a grid (not on the last
// analysed frame) keeps the average rate at one per interval. Arithmetic
// saturates and never loops, whatever the interval (1 ns or G_MAXUINT64).
static bool due_for_analysis(Stream& st, GstClockTime rt, GstClockTime interval) {
  if (interval == 0 || !GST_CLOCK_TIME_IS_VALID(rt)) return true;
  const GstClockTime kNever = G_MAXUINT64 - 1;  // GST_CLOCK_TIME_NONE is G_MAXUINT64
  auto add = [&](GstClockTime a, GstClockTime b) { return a >= kNever || b >= kNever - a ? kNever : a + b; };
  const bool went_back = GST_CLOCK_TIME_IS_VALID(st.next_time) && st.next_time > interval &&
                         rt < st.next_time - interval;  // by more than one interval
  if (!GST_CLOCK_TIME_IS_VALID(st.next_time) || went_back || interval != st.interval) {
    // First frame, a new interval, or time went backwards.
    st.interval = interval;
    st.next_time = add(rt, interval);
    return true;
  }
  if (rt < st.next_time) return false;
  // The first grid point after rt.
  const GstClockTime steps = (rt - st.next_time) / interval + 1;
  st.next_time = steps > (kNever - st.next_time) / interval ? kNever : st.next_time + steps * interval;
  return true;
}

// Analyses one frame and posts its message. May throw (the core's
// ModelError, std::bad_alloc); gst_focusmeter_transform_frame_ip catches.
static GstFlowReturn analyse_frame(GstVideoFilter* filter, GstVideoFrame* frame) {
  auto* self = GST_FOCUSMETER(filter);
  auto* trans = GST_BASE_TRANSFORM(filter);
  Stream& st = self->priv->stream;

  GST_OBJECT_LOCK(self);
  const FrameSettings settings = self->priv->settings.frame;
  GST_OBJECT_UNLOCK(self);

  GstBuffer* buf = frame->buffer;
  const GstClockTime ts = GST_BUFFER_PTS(buf);
  const GstSegment& seg = trans->segment;
  const GstClockTime running_time = gst_segment_to_running_time(&seg, GST_FORMAT_TIME, ts);
  if (!due_for_analysis(st, running_time, settings.interval)) return GST_FLOW_OK;

  const int width = GST_VIDEO_FRAME_WIDTH(frame);
  const int height = GST_VIDEO_FRAME_HEIGHT(frame);
  const focusmeter::Rect full{0, 0, width, height};
  // Clip the ROI to this frame (the frame size may change mid-stream).
  focusmeter::Rect roi = focusmeter::clip_rect(settings.roi, width, height);
  if (roi.width <= 0 || roi.height <= 0) {
    GST_WARNING_OBJECT(self, "region of interest lies outside the %dx%d frame; analysing the whole frame", width,
                       height);
    roi = full;
  }

  const focusmeter::LumaView luma = focusmeter::frame_luma(frame, roi, st.scratch);
  std::optional<focusmeter::FrameJudgement> judged;
  if (st.model && !st.inject_nan_features) {
    judged = focusmeter::judge_frame(*st.model, luma, settings.threshold);
    st.static_tiles.observe(luma, judged->map.grid);
    const std::vector<bool> still = st.static_tiles.static_tiles(judged->map.textured);
    // Why the stream overlay rule did or did not fire (GST_DEBUG=focusmeter:5).
    const auto& runs = st.static_tiles.runs();
    GST_DEBUG_OBJECT(
        self, "stream overlay rule: %d tiles static, %d changed, %d unchanged for %d frames or more",
        static_cast<int>(std::count(still.begin(), still.end(), true)),
        static_cast<int>(std::count(runs.begin(), runs.end(), 1)),
        static_cast<int>(std::count_if(runs.begin(), runs.end(), [](int r) { return r >= focusmeter::kStaticFrames; })),
        focusmeter::kStaticFrames);
    focusmeter::leave_out_static(*judged, still, *st.model, settings.threshold);
  }
  focusmeter::FeatureVector fv =
      judged ? judged->features : focusmeter::compute_features(luma, focusmeter::judgement_features(st.model.get()));
  if (st.inject_nan_features && st.model)
    for (focusmeter::Feature f : st.model->features()) fv.set(f, std::numeric_limits<double>::quiet_NaN());

  if (st.model && st.inject_scoring_fault)
    throw focusmeter::ModelError("injected scoring fault (FOCUSMETER_ELEMENT_TEST_FAULT)");
  // judge_frame(): the median of the focus map's voting tiles
  // (focusmeter/focus_map.h); judge(): a frame with nothing to judge is
  // UNKNOWN (focusmeter/judgement.h).
  const focusmeter::Judgement j =
      judged ? judged->judgement : focusmeter::judge(st.model.get(), fv, settings.threshold);
  if (st.model) {
    if (j.no_verdict && j.no_verdict->kind == focusmeter::NoVerdictKind::NoScore && !st.warned_no_verdict) {
      st.warned_no_verdict = true;
      GST_ELEMENT_WARNING(self, STREAM, FAILED, ("The focus model gave no verdict."),
                          ("%s", j.no_verdict->detail.c_str()));
    }
    st.aggregate.add(j, GST_CLOCK_TIME_IS_VALID(running_time)
                            ? std::optional<double>(static_cast<double>(running_time) / GST_SECOND)
                            : std::nullopt);
  }
  ++st.frames;

  GST_OBJECT_LOCK(self);
  if (st.model) {
    self->priv->last.score = j.score.value_or(-1);
    self->priv->last.verdict = j.verdict ? focusmeter::verdict_name(*j.verdict) : "UNKNOWN";
  }
  GST_OBJECT_UNLOCK(self);

  if (!settings.post_messages) return GST_FLOW_OK;

  focusmeter::FrameResult result;
  result.timestamp = ts;
  result.stream_time = gst_segment_to_stream_time(&seg, GST_FORMAT_TIME, ts);
  result.running_time = running_time;
  result.duration = GST_BUFFER_DURATION(buf);
  result.frames = st.frames;
  result.width = width;
  result.height = height;
  result.roi = roi;
  result.features = fv;
  result.low_texture = j.low_texture;
  if (judged) result.map = focusmeter::summarise(judged->map, judged->aggregate);
  if (st.model) {
    result.score = j.score;
    result.verdict = j.verdict;
    result.no_verdict = j.no_verdict;
  }
  result.skipped = st.skipped;
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), result.to_structure()));
  return GST_FLOW_OK;
}

// The exception boundary of the streaming thread. A ModelError is the
// model's own failure and repeats on every frame: an element error stops
// the stream with the reason. Anything else (an allocation failing on one
// frame) costs that frame only: a warning, and the buffer goes on.
static GstFlowReturn gst_focusmeter_transform_frame_ip(GstVideoFilter* filter, GstVideoFrame* frame) {
  auto* self = GST_FOCUSMETER(filter);
  try {
    return analyse_frame(filter, frame);
  } catch (const focusmeter::ModelError& e) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("The focus model failed on a frame."), ("%s", e.what()));
    return GST_FLOW_ERROR;
  } catch (const std::exception& e) {
    Stream& st = self->priv->stream;
    if (!st.warned_frame_failure) {
      st.warned_frame_failure = true;
      GST_ELEMENT_WARNING(self, STREAM, FAILED, ("A frame could not be analysed."), ("%s", e.what()));
    } else {
      GST_WARNING_OBJECT(self, "a frame could not be analysed: %s", e.what());
    }
    return GST_FLOW_OK;
  } catch (...) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("Focus analysis failed."), ("unknown exception"));
    return GST_FLOW_ERROR;
  }
}

// Only real pictures are judged. Checked before GstVideoFilter maps the
// buffer (a GAP buffer may hold no picture at all to map): a flagged buffer
// goes downstream untouched and is only counted.
static GstFlowReturn gst_focusmeter_transform_ip(GstBaseTransform* trans, GstBuffer* buf) {
  auto* self = GST_FOCUSMETER(trans);
  focusmeter::SkippedBuffers& k = self->priv->stream.skipped;
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_CORRUPTED)) {
    ++k.corrupted;
    return GST_FLOW_OK;
  }
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_GAP)) {
    ++k.gap;
    return GST_FLOW_OK;
  }
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DECODE_ONLY)) {
    ++k.decode_only;
    return GST_FLOW_OK;
  }
  return GST_BASE_TRANSFORM_CLASS(gst_focusmeter_parent_class)->transform_ip(trans, buf);
}

static void gst_focusmeter_finalize(GObject* object) {
  auto* self = GST_FOCUSMETER(object);
  delete self->priv;  // pairs with the new in init: GObject owns C++ state
  self->priv = nullptr;
  G_OBJECT_CLASS(gst_focusmeter_parent_class)->finalize(object);
}

static void gst_focusmeter_init(GstFocusmeter* self) {
  self->priv = new FocusmeterPrivate();
  // Analysis only: buffers pass through untouched and are mapped read-only.
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), TRUE);
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}

static void gst_focusmeter_class_init(GstFocusmeterClass* klass) {
  auto* gobject_class = G_OBJECT_CLASS(klass);
  auto* element_class = GST_ELEMENT_CLASS(klass);
  auto* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  auto* filter_class = GST_VIDEO_FILTER_CLASS(klass);

  gobject_class->set_property = gst_focusmeter_set_property;
  gobject_class->get_property = gst_focusmeter_get_property;
  gobject_class->finalize = gst_focusmeter_finalize;

  const auto rw = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  const auto rw_playing = static_cast<GParamFlags>(rw | GST_PARAM_MUTABLE_PLAYING);
  const auto ro = static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_property(
      gobject_class, PROP_MODEL,
      g_param_spec_string(params::ModelFile::kName, params::ModelFile::kNick,
                          "Focus model file (JSON). NULL: $FOCUSMETER_MODEL when set, else the model compiled "
                          "into the plugin; \"\": no model, features only (no verdict). A named model that is "
                          "missing or invalid is an error at start. Read when the element starts; model-object, "
                          "when set, wins",
                          DEFAULT_MODEL, static_cast<GParamFlags>(rw | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property(
      gobject_class, PROP_MODEL_OBJECT,
      g_param_spec_boxed("model-object", "Model object",
                         "An already loaded focus model (std::shared_ptr<const focusmeter::Model>, see "
                         "focusmeter_model_object.h), for applications embedding the element; used instead of "
                         "'model' when set. Read when the element starts",
                         FOCUSMETER_TYPE_MODEL, static_cast<GParamFlags>(rw | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property(
      gobject_class, PROP_INTERVAL,
      g_param_spec_uint64(params::Interval::kName, params::Interval::kNick, params::Interval::kDoc,
                          params::Interval::kMinNs, params::Interval::kMaxNs, DEFAULT_INTERVAL, rw_playing));
  g_object_class_install_property(
      gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean("post-messages", "Post Messages", "Post a 'focusmeter' element message per analysed frame",
                           DEFAULT_POST_MESSAGES, rw_playing));
  g_object_class_install_property(
      gobject_class, PROP_THRESHOLD,
      g_param_spec_double(params::Threshold::kName, params::Threshold::kNick, params::Threshold::kDoc,
                          params::Threshold::kMin, params::Threshold::kMax, params::Threshold::kModelOwn, rw_playing));
  g_object_class_install_property(
      gobject_class, PROP_BLURRY_SHARE,
      g_param_spec_double(params::BlurryShare::kName, "Blurry share",
                          "The EOS summary: the stream is BLURRY when at least this share of its judged time is "
                          "BLURRY, in [0, 1]. Read when the element starts",
                          params::BlurryShare::kMin, params::BlurryShare::kMax, params::BlurryShare::kDefault,
                          static_cast<GParamFlags>(rw | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property(
      gobject_class, PROP_ROI_LEFT,
      g_param_spec_int("roi-left", "ROI left", "Left edge of the analysed region, in pixels", 0, G_MAXINT, DEFAULT_ROI,
                       rw_playing));
  g_object_class_install_property(gobject_class, PROP_ROI_TOP,
                                  g_param_spec_int("roi-top", "ROI top", "Top edge of the analysed region, in pixels",
                                                   0, G_MAXINT, DEFAULT_ROI, rw_playing));
  g_object_class_install_property(
      gobject_class, PROP_ROI_WIDTH,
      g_param_spec_int("roi-width", "ROI width", "Width of the analysed region (0 = to the right edge)", 0, G_MAXINT,
                       DEFAULT_ROI, rw_playing));
  g_object_class_install_property(
      gobject_class, PROP_ROI_HEIGHT,
      g_param_spec_int("roi-height", "ROI height", "Height of the analysed region (0 = to the bottom edge)", 0,
                       G_MAXINT, DEFAULT_ROI, rw_playing));
  g_object_class_install_property(
      gobject_class, PROP_LAST_SCORE,
      g_param_spec_double("last-score", "Last score",
                          "Score (probability of BLURRY) of the last analysed frame; -1 before the first or "
                          "without a verdict",
                          -1.0, 1.0, -1.0, ro));
  g_object_class_install_property(
      gobject_class, PROP_LAST_VERDICT,
      g_param_spec_string("last-verdict", "Last verdict",
                          "Verdict of the last analysed frame (CLEAR, BLURRY, or UNKNOWN when there was "
                          "nothing to judge); NULL before the first or without a model",
                          nullptr, ro));

  g_autoptr(GstCaps) caps = gst_caps_from_string(focusmeter::kSupportedCaps);
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_element_class_set_static_metadata(element_class, "Focus meter", "Filter/Analyzer/Video",
                                        "Measures whether video is in focus (CLEAR or BLURRY) and posts the "
                                        "result as element messages",
                                        "focusmeter developers");

  trans_class->start = GST_DEBUG_FUNCPTR(gst_focusmeter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR(gst_focusmeter_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR(gst_focusmeter_sink_event);
  trans_class->transform_ip = GST_DEBUG_FUNCPTR(gst_focusmeter_transform_ip);
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR(gst_focusmeter_transform_frame_ip);

  GST_DEBUG_CATEGORY_INIT(gst_focusmeter_debug, "focusmeter", 0, "focusmeter focus analysis");
}
