#include "focusmeter_message.h"

#include <cstring>
#include <type_traits>
#include <vector>

namespace focusmeter {

namespace {

constexpr const char* kSkippedCorrupted = "skipped-corrupted";
constexpr const char* kSkippedGap = "skipped-gap";
constexpr const char* kSkippedDecodeOnly = "skipped-decode-only";

void set_skipped(GstStructure* s, const SkippedBuffers& k) {
  gst_structure_set(s, kSkippedCorrupted, G_TYPE_UINT64, k.corrupted, kSkippedGap, G_TYPE_UINT64, k.gap,
                    kSkippedDecodeOnly, G_TYPE_UINT64, k.decode_only, nullptr);
}

// Absent counters read as 0: messages from before the counters existed.
SkippedBuffers get_skipped(const GstStructure* s) {
  SkippedBuffers k;
  gst_structure_get_uint64(s, kSkippedCorrupted, &k.corrupted);
  gst_structure_get_uint64(s, kSkippedGap, &k.gap);
  gst_structure_get_uint64(s, kSkippedDecodeOnly, &k.decode_only);
  return k;
}

constexpr const char* kUnknown = "UNKNOWN";

void set_no_verdict(GstStructure* s, const NoVerdict& why) {
  gst_structure_set(s, "verdict", G_TYPE_STRING, kUnknown, "no-verdict", G_TYPE_STRING, why.detail.c_str(),
                    "no-verdict-kind", G_TYPE_STRING, no_verdict_kind_name(why.kind), nullptr);
}

// The reason of an UNKNOWN verdict; nullopt when the message has none.
std::optional<NoVerdict> get_no_verdict(const GstStructure* s) {
  const char* why = gst_structure_get_string(s, "no-verdict");
  if (!why && g_strcmp0(gst_structure_get_string(s, "verdict"), kUnknown) != 0) return std::nullopt;
  NoVerdict nv;
  nv.detail = why ? why : "no verdict";
  const char* kind = gst_structure_get_string(s, "no-verdict-kind");
  nv.kind = kind ? no_verdict_kind_from_name(kind).value_or(NoVerdictKind::NoScore) : NoVerdictKind::NoScore;
  return nv;
}

std::optional<Verdict> get_verdict(const GstStructure* s) {
  const char* v = gst_structure_get_string(s, "verdict");
  if (!v) return std::nullopt;
  if (std::strcmp(v, verdict_name(Verdict::Blurry)) == 0) return Verdict::Blurry;
  if (std::strcmp(v, verdict_name(Verdict::Clear)) == 0) return Verdict::Clear;
  return std::nullopt;
}

// Whether `s` is a focusmeter message whose `final` field is `final`.
bool is_kind(const GstStructure* s, bool final) {
  gboolean f = FALSE;
  return s && gst_structure_has_name(s, kMessageName) && gst_structure_get_boolean(s, "final", &f) &&
         static_cast<bool>(f) == final;
}

GstClockTime get_time(const GstStructure* s, const char* field) {
  guint64 t = GST_CLOCK_TIME_NONE;
  gst_structure_get_uint64(s, field, &t);
  return t;
}

// A GstValueArray of `values` as field `name` of `s`.
template <typename T>
void set_array(GstStructure* s, const char* name, const std::vector<T>& values) {
  g_auto(GValue) array = G_VALUE_INIT;
  g_value_init(&array, gst_value_array_get_type());  // not GST_TYPE_ARRAY: set by gst_init only
  for (const T v : values) {
    g_auto(GValue) item = G_VALUE_INIT;
    if constexpr (std::is_same_v<T, double>) {
      g_value_init(&item, G_TYPE_DOUBLE);
      g_value_set_double(&item, v);
    } else {
      g_value_init(&item, G_TYPE_BOOLEAN);
      g_value_set_boolean(&item, v ? TRUE : FALSE);
    }
    gst_value_array_append_value(&array, &item);
  }
  gst_structure_set_value(s, name, &array);
}

// Field `name` as a list of T; false when absent or of another type.
template <typename T>
bool get_array(const GstStructure* s, const char* name, std::vector<T>& out) {
  const GValue* array = gst_structure_get_value(s, name);
  if (!array || !G_VALUE_HOLDS(array, gst_value_array_get_type())) return false;
  const guint n = gst_value_array_get_size(array);
  out.clear();
  out.reserve(n);
  for (guint i = 0; i < n; ++i) {
    const GValue* item = gst_value_array_get_value(array, i);
    if constexpr (std::is_same_v<T, double>) {
      if (!G_VALUE_HOLDS_DOUBLE(item)) return false;
      out.push_back(g_value_get_double(item));
    } else {
      if (!G_VALUE_HOLDS_BOOLEAN(item)) return false;
      out.push_back(g_value_get_boolean(item) != FALSE);
    }
  }
  return true;
}

void set_map(GstStructure* s, const MapSummary& m) {
  gst_structure_set(s, "map-cols", G_TYPE_INT, m.cols, "map-rows", G_TYPE_INT, m.rows, "map-soft-share", G_TYPE_DOUBLE,
                    m.soft_share, "map-partial", G_TYPE_BOOLEAN, m.partial ? TRUE : FALSE, nullptr);
  set_array(s, "map-scores", m.scores);
  set_array(s, "map-textured", m.textured);
  set_array(s, "map-overlay", m.overlay);
}

// The map when every field is there and consistent; nullopt otherwise.
std::optional<MapSummary> get_map(const GstStructure* s) {
  MapSummary m;
  gboolean partial = FALSE;
  if (!gst_structure_get_int(s, "map-cols", &m.cols) || !gst_structure_get_int(s, "map-rows", &m.rows) ||
      !gst_structure_get_double(s, "map-soft-share", &m.soft_share) ||
      !gst_structure_get_boolean(s, "map-partial", &partial) || !get_array(s, "map-scores", m.scores) ||
      !get_array(s, "map-textured", m.textured) || !get_array(s, "map-overlay", m.overlay))
    return std::nullopt;
  m.partial = partial;
  if (!m.valid()) return std::nullopt;
  return m;
}

}  // namespace

GstStructure* FrameResult::to_structure() const {
  GstStructure* s = gst_structure_new(
      kMessageName, "final", G_TYPE_BOOLEAN, FALSE, "timestamp", G_TYPE_UINT64, timestamp, "stream-time", G_TYPE_UINT64,
      stream_time, "running-time", G_TYPE_UINT64, running_time, "duration", G_TYPE_UINT64, duration, "frames",
      G_TYPE_UINT64, frames, "width", G_TYPE_INT, width, "height", G_TYPE_INT, height, "roi-left", G_TYPE_INT, roi.left,
      "roi-top", G_TYPE_INT, roi.top, "roi-width", G_TYPE_INT, roi.width, "roi-height", G_TYPE_INT, roi.height,
      "low-texture", G_TYPE_BOOLEAN, low_texture, nullptr);
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    // Field names are NUL-terminated literals (features.h): data() is a C string.
    if (features.has(f)) gst_structure_set(s, feature_field_name(f).data(), G_TYPE_DOUBLE, features[f], nullptr);
  }
  if (score) gst_structure_set(s, "score", G_TYPE_DOUBLE, *score, nullptr);
  if (verdict)
    gst_structure_set(s, "verdict", G_TYPE_STRING, verdict_name(*verdict), nullptr);
  else if (no_verdict)
    set_no_verdict(s, *no_verdict);
  if (map) set_map(s, *map);
  set_skipped(s, skipped);
  return s;
}

Judgement FrameResult::judgement() const {
  Judgement j;
  j.low_texture = low_texture;
  if (verdict && score) {
    j.verdict = verdict;
    j.score = score;
  } else {
    j.no_verdict = no_verdict.value_or(NoVerdict{NoVerdictKind::NoModel, "features only (no model asked for)"});
  }
  return j;
}

std::optional<double> FrameResult::running_seconds() const {
  if (!GST_CLOCK_TIME_IS_VALID(running_time)) return std::nullopt;
  return static_cast<double>(running_time) / GST_SECOND;
}

std::optional<FrameResult> FrameResult::from_structure(const GstStructure* s) {
  if (!is_kind(s, false)) return std::nullopt;
  FrameResult r;
  r.timestamp = get_time(s, "timestamp");
  r.stream_time = get_time(s, "stream-time");
  r.running_time = get_time(s, "running-time");
  r.duration = get_time(s, "duration");
  gst_structure_get_uint64(s, "frames", &r.frames);
  gst_structure_get_int(s, "width", &r.width);
  gst_structure_get_int(s, "height", &r.height);
  gst_structure_get_int(s, "roi-left", &r.roi.left);
  gst_structure_get_int(s, "roi-top", &r.roi.top);
  gst_structure_get_int(s, "roi-width", &r.roi.width);
  gst_structure_get_int(s, "roi-height", &r.roi.height);
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    double v = 0;
    if (gst_structure_get_double(s, feature_field_name(f).data(), &v)) r.features.set(f, v);
  }
  gboolean low = FALSE;
  gst_structure_get_boolean(s, "low-texture", &low);
  r.low_texture = low;
  double score = 0;
  if (gst_structure_get_double(s, "score", &score)) r.score = score;
  r.verdict = get_verdict(s);
  if (!r.verdict) r.no_verdict = get_no_verdict(s);
  r.map = get_map(s);
  r.skipped = get_skipped(s);
  return r;
}

GstStructure* StreamSummary::to_structure() const {
  GstStructure* s =
      gst_structure_new(kMessageName, "final", G_TYPE_BOOLEAN, TRUE, "frames", G_TYPE_UINT64, frames, nullptr);
  if (const AggregateResult* a = aggregate ? &*aggregate : nullptr) {
    gst_structure_set(s, "judged-frames", G_TYPE_UINT64, guint64(a->judged_frames), "blurry-frames", G_TYPE_UINT64,
                      guint64(a->blurry_frames), "unknown-frames", G_TYPE_UINT64, guint64(a->unknown_frames),
                      "unknown-share", G_TYPE_DOUBLE, a->unknown_share, nullptr);
    if (a->blurry_share) gst_structure_set(s, "blurry-share", G_TYPE_DOUBLE, *a->blurry_share, nullptr);
    if (a->score) gst_structure_set(s, "mean-score", G_TYPE_DOUBLE, *a->score, nullptr);
    if (a->verdict)
      gst_structure_set(s, "verdict", G_TYPE_STRING, verdict_name(*a->verdict), nullptr);
    else
      set_no_verdict(s, a->no_verdict.value_or(NoVerdict{NoVerdictKind::NoDetail, "no frame analysed"}));
  }
  set_skipped(s, skipped);
  return s;
}

std::optional<StreamSummary> StreamSummary::from_structure(const GstStructure* s) {
  if (!is_kind(s, true)) return std::nullopt;
  StreamSummary r;
  gst_structure_get_uint64(s, "frames", &r.frames);
  if (gst_structure_has_field(s, "verdict")) {
    AggregateResult a;
    a.frames = r.frames;
    guint64 n = 0;
    if (gst_structure_get_uint64(s, "judged-frames", &n)) a.judged_frames = n;
    if (gst_structure_get_uint64(s, "blurry-frames", &n)) a.blurry_frames = n;
    if (gst_structure_get_uint64(s, "unknown-frames", &n)) a.unknown_frames = n;
    double v = 0;
    if (gst_structure_get_double(s, "blurry-share", &v)) a.blurry_share = v;
    if (gst_structure_get_double(s, "unknown-share", &v)) a.unknown_share = v;
    if (gst_structure_get_double(s, "mean-score", &v)) a.score = v;
    a.verdict = get_verdict(s);
    if (!a.verdict) a.no_verdict = get_no_verdict(s);
    r.aggregate = std::move(a);
  }
  r.skipped = get_skipped(s);
  return r;
}

const GstStructure* focusmeter_structure(GstMessage* msg, GstElement* source) {
  if (!msg || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT) return nullptr;
  if (source && GST_MESSAGE_SRC(msg) != GST_OBJECT(source)) return nullptr;
  const GstStructure* s = gst_message_get_structure(msg);
  return s && gst_structure_has_name(s, kMessageName) ? s : nullptr;
}

}  // namespace focusmeter
