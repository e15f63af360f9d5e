// One checked thing (a camera for `scan`; an image, clip or stream for
// `check`) and the report that gathers them. Shared by the subcommands and
// the report writers so that every output format says the same thing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "focusmeter/aggregate.h"
#include "focusmeter/features.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/judgement.h"
#include "focusmeter/model.h"

namespace focusmeter::report {

// How the check of one thing ended; exactly one per result.
enum class Status {
  Ok,           // analysed: verdict (when a model is loaded), score, features
  Unreachable,  // scan: refused / no route / probe timeout
  AuthFailed,   // scan: 401 after credentials
  NotFound,     // scan: 404 / no such stream on every route tried
  Timeout,      // connected but no decodable frame in time
  StreamError,  // protocol garbage, no video track, decoder error
  Error,        // check: unreadable / corrupt / unsupported input
  NoPicture,    // streams: frames arrived but none decoded cleanly in time
};
inline constexpr std::size_t kStatusCount = 8;
const char* status_name(Status s);  // "ok", "unreachable", "auth_failed", ...

// A stretch of a clip with one judged frame (check --every).
struct Segment {
  double start = 0;  // seconds from the clip's start
  double end = 0;
  std::optional<double> score;     // none: no verdict (UNKNOWN)
  std::optional<Verdict> verdict;  // none: UNKNOWN (nothing to judge)
};

struct Result {
  // scan: target as given, host, redacted URL, brand/route that worked.
  std::string target;
  std::string host;
  std::string url;  // always redacted: rtsp://user:***@host/...
  std::string brand;
  int channel = 0;  // scan --channels: the NVR channel (0 = not asked); with host, the row's identity
  // scan: the camera's identity and display name (scan/camera_identity.h;
  // the labels of its Prometheus gauges) and when its check ended (Unix s).
  std::string camera;
  std::string name;
  std::optional<double> checked_at;
  // check: the input as given and its kind ("image", "video", "stream").
  std::string source;
  std::string kind;

  Status status = Status::Error;
  std::optional<Verdict> verdict;  // absent when status != Ok, or when ok without verdict (below)
  std::optional<double> score;
  // Ok without verdict: why. UNKNOWN (too dark, no detail, no score), or
  // NoModel (--no-model). Never set with a verdict.
  std::optional<NoVerdict> no_verdict;
  FeatureVector features;         // present only for Status::Ok
  std::optional<MapSummary> map;  // with a model: the judged picture's focus map (docs/focus-map.md)
  int width = 0;
  int height = 0;
  std::string snapshot;  // path of the saved analysed frame, if any
  std::string reason;    // one human line; empty for a plain ok
  double elapsed_ms = 0;

  std::vector<Segment> timeline;              // clips only
  std::optional<double> blurry_share;         // clips, streams: BLURRY share of the judged time, [0,1]
  std::optional<double> unknown_share;        // clips, streams: UNKNOWN share of the analysed time, [0,1]
  std::vector<unsigned char> thumbnail_jpeg;  // small JPEG for HTML reports
};

// UNKNOWN: analysed, with a model, but no verdict (nothing to judge).
bool is_unknown(const Result& r);

// One picture's judgement into r: verdict and score, or no_verdict and its
// detail as the reason (put before any reason already there).
void apply_judgement(Result& r, const Judgement& j);
// A clip's or a stream's Aggregate into r: verdict, score, blurry_share,
// unknown_share, or no_verdict and its reason; beside a verdict, frames
// without one are named in the reason ("no verdict for 3 of 10 analysed
// frames: covered or too dark (mean luma 3/255)").
void apply_aggregate(Result& r, const AggregateResult& a);

// Says in r.reason that r.map is flagged partial (focusmeter/focus_map.h: a
// sizeable part soft, a sizeable part sharp): "partly out of focus: N % of
// the judged tiles are soft". Appended like note_low_texture; nothing
// without a map or when it is not partial.
void note_partial_focus(Result& r);

}  // namespace focusmeter::report
