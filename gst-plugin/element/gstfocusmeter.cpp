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
 *    wall, lens cap, black night); the score is then 0.5 (focusmeter/judgement.h)
 *  - `score` (gdouble, probability of BLURRY) and `verdict` ("CLEAR" or
 *    "BLURRY"): only when a model is loaded
 *  - `frames` (guint64, analysed so far), `width`, `height` (gint, the frame)
 *    and `roi-left`, `roi-top`, `roi-width`, `roi-height` (gint, the region
 *    analysed)
 *  - `skipped-corrupted`, `skipped-gap`, `skipped-decode-only` (guint64):
 *    buffers passed through without being judged so far (below)
 *  - `final` (gboolean): FALSE on per-frame messages. On EOS one last
 *    message with `final` = TRUE (a StreamSummary) summarises the stream:
 *    `frames`, `blurry-frames`, `mean-score` and `verdict` (mean score
 *    against the threshold), and the skip counters.
 *
 * Only real pictures are judged: a buffer flagged CORRUPTED (a decoder
 * concealing missing data, such as the grey pictures after joining a live
 * stream between keyframes), GAP or DECODE_ONLY passes through untouched and
 * is only counted.
 *
 * The element never modifies or copies buffers (frames are mapped read-only).
 *
 * |[
 * gst-launch-1.0 -m filesrc location=clip.mp4 ! decodebin ! videoconvert ! focusmeter ! fakesink
 * gst-launch-1.0 -m rtspsrc location=rtsp://127.0.0.1:8554/cam ! decodebin ! focusmeter interval=2000000000 ! fakesink
 * ]|
 */
#include "gstfocusmeter.h"

#include <gst/video/video.h>

#include <optional>
#include <string>
#include <vector>

#include "focusmeter/features.h"
#include "focusmeter/judgement.h"
#include "focusmeter/model.h"
#include "focusmeter_message.h"
#include "frame_luma.h"

GST_DEBUG_CATEGORY_STATIC(gst_focusmeter_debug);
#define GST_CAT_DEFAULT gst_focusmeter_debug

#define DEFAULT_MODEL nullptr
#define DEFAULT_INTERVAL GST_SECOND
#define DEFAULT_POST_MESSAGES TRUE
#define DEFAULT_THRESHOLD -1.0
#define DEFAULT_ROI 0

enum {
  PROP_0,
  PROP_MODEL,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
  PROP_THRESHOLD,
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
  double threshold = DEFAULT_THRESHOLD;
  focusmeter::Rect roi;
};

struct Settings {
  std::optional<std::string> model;  // nullopt: the default model; read in start()
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
  std::optional<focusmeter::Model> model;
  GstClockTime next_time = GST_CLOCK_TIME_NONE;  // running time of the next analysis
  GstClockTime interval = GST_CLOCK_TIME_NONE;   // the interval next_time was set with
  guint64 frames = 0;
  guint64 blurry_frames = 0;
  double score_sum = 0;
  focusmeter::SkippedBuffers skipped;  // buffers not judged (flags), see transform_ip
  std::vector<std::uint8_t> scratch;   // converted luma for packed formats

  void reset_counts() {
    next_time = GST_CLOCK_TIME_NONE;
    frames = blurry_frames = 0;
    score_sum = 0;
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

static void gst_focusmeter_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_FOCUSMETER(object);
  Settings& s = self->priv->settings;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_MODEL: {
      const gchar* path = g_value_get_string(value);
      s.model = path ? std::optional<std::string>(path) : std::nullopt;
      break;
    }
    case PROP_INTERVAL:
      s.frame.interval = g_value_get_uint64(value);
      break;
    case PROP_POST_MESSAGES:
      s.frame.post_messages = g_value_get_boolean(value);
      break;
    case PROP_THRESHOLD:
      s.frame.threshold = g_value_get_double(value);
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
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
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
    case PROP_THRESHOLD:
      g_value_set_double(value, s.frame.threshold);
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

// Loads the model: the one named by the `model` property, else the default
// one when it is installed. A named model that fails to load is an error; a
// missing default model means features only.
static gboolean gst_focusmeter_start(GstBaseTransform* trans) {
  auto* self = GST_FOCUSMETER(trans);
  GST_OBJECT_LOCK(self);
  const std::optional<std::string> named = self->priv->settings.model;
  GST_OBJECT_UNLOCK(self);

  Stream& st = self->priv->stream;
  st.model.reset();
  st.reset_counts();
  GST_OBJECT_LOCK(self);
  self->priv->last = LastResult{};  // nothing analysed yet in this run
  GST_OBJECT_UNLOCK(self);
  const std::string path = named ? *named : focusmeter::default_model_path();
  if (path.empty()) {
    GST_INFO_OBJECT(self, "no model: posting features only");
    return TRUE;
  }
  if (!named && !g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) {
    GST_INFO_OBJECT(self, "default model %s not installed: posting features only", path.c_str());
    return TRUE;
  }
  try {
    st.model.emplace(focusmeter::Model::load(path));
    GST_INFO_OBJECT(self, "loaded model \"%s\" from %s", st.model->name().c_str(), path.c_str());
  } catch (const focusmeter::ModelError& e) {
    GST_ELEMENT_ERROR(self, RESOURCE, OPEN_READ, ("Could not load focus model \"%s\".", path.c_str()),
                      ("%s", e.what()));
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
  const double threshold_override = self->priv->settings.frame.threshold;
  GST_OBJECT_UNLOCK(self);
  if (!post) return;

  focusmeter::StreamSummary summary;
  summary.frames = st.frames;
  summary.skipped = st.skipped;
  if (st.model && st.frames > 0) {
    const double mean = st.score_sum / static_cast<double>(st.frames);
    const double thr = threshold_override >= 0 ? threshold_override : st.model->threshold();
    summary.blurry_frames = st.blurry_frames;
    summary.mean_score = mean;
    summary.verdict = mean >= thr ? focusmeter::Verdict::Blurry : focusmeter::Verdict::Clear;
  }
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), summary.to_structure()));
}

static gboolean gst_focusmeter_sink_event(GstBaseTransform* trans, GstEvent* event) {
  auto* self = GST_FOCUSMETER(trans);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_FLUSH_STOP:
    case GST_EVENT_SEGMENT:
      // Running time restarts: re-anchor the interval on the next frame.
      self->priv->stream.next_time = GST_CLOCK_TIME_NONE;
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

static GstFlowReturn gst_focusmeter_transform_frame_ip(GstVideoFilter* filter, GstVideoFrame* frame) {
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
  const focusmeter::FeatureVector fv =
      focusmeter::compute_features(luma, focusmeter::judgement_features(st.model ? &*st.model : nullptr));

  std::optional<focusmeter::Prediction> pred;
  if (st.model) {
    // judge(): a low-texture frame scores 0.5, see focusmeter/judgement.h.
    pred = focusmeter::judge(*st.model, fv, settings.threshold).prediction;
    st.score_sum += pred->score;
    if (pred->verdict == focusmeter::Verdict::Blurry) ++st.blurry_frames;
  }
  ++st.frames;

  GST_OBJECT_LOCK(self);
  if (pred) {
    self->priv->last.score = pred->score;
    self->priv->last.verdict = focusmeter::verdict_name(pred->verdict);
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
  result.low_texture = focusmeter::low_texture(fv);
  if (pred) {
    result.score = pred->score;
    result.verdict = pred->verdict;
  }
  result.skipped = st.skipped;
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), result.to_structure()));
  return GST_FLOW_OK;
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
      g_param_spec_string("model", "Model",
                          "Focus model file (JSON). NULL: the default model (" FOCUSMETER_DEFAULT_MODEL
                          ", or $FOCUSMETER_MODEL), features only when it is not installed; \"\": no model, "
                          "features only. Read when the element starts",
                          DEFAULT_MODEL, static_cast<GParamFlags>(rw | GST_PARAM_MUTABLE_READY)));
  g_object_class_install_property(
      gobject_class, PROP_INTERVAL,
      g_param_spec_uint64("interval", "Interval",
                          "Running time between analysed frames, in nanoseconds (0 = every frame)", 0, G_MAXUINT64,
                          DEFAULT_INTERVAL, rw_playing));
  g_object_class_install_property(
      gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean("post-messages", "Post Messages", "Post a 'focusmeter' element message per analysed frame",
                           DEFAULT_POST_MESSAGES, rw_playing));
  g_object_class_install_property(
      gobject_class, PROP_THRESHOLD,
      g_param_spec_double("threshold", "Threshold",
                          "Score at or above which a frame is BLURRY (-1 = the model's own threshold)", -1.0, 1.0,
                          DEFAULT_THRESHOLD, rw_playing));
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
                          "Score (probability of BLURRY) of the last analysed frame; -1 before the first", -1.0, 1.0,
                          -1.0, ro));
  g_object_class_install_property(
      gobject_class, PROP_LAST_VERDICT,
      g_param_spec_string("last-verdict", "Last verdict",
                          "Verdict of the last analysed frame (CLEAR or BLURRY); NULL before the first", nullptr, ro));

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
