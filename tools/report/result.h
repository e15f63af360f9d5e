// One checked thing (a camera for `scan`; an image, clip or stream for
// `check`) and the report that gathers them. Shared by the subcommands and
// the report writers so that every output format says the same thing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "focusmeter/features.h"
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

// A stretch of a clip with one score (check --every).
struct Segment {
  double start = 0;  // seconds from the clip's start
  double end = 0;
  double score = 0;
  Verdict verdict = Verdict::Clear;
};

struct Result {
  // scan: target as given, host, redacted URL, brand/route that worked.
  std::string target;
  std::string host;
  std::string url;  // always redacted: rtsp://user:***@host/...
  std::string brand;
  int channel = 0;  // scan --channels: the NVR channel (0 = not asked); with host, the row's identity
  // check: the input as given and its kind ("image", "video", "stream").
  std::string source;
  std::string kind;

  Status status = Status::Error;
  std::optional<Verdict> verdict;  // absent when no model, or status != Ok
  std::optional<double> score;
  FeatureVector features;  // present only for Status::Ok
  int width = 0;
  int height = 0;
  std::string snapshot;  // path of the saved analysed frame, if any
  std::string reason;    // one human line; empty for a plain ok
  double elapsed_ms = 0;

  std::vector<Segment> timeline;              // clips only
  std::optional<double> blurry_share;         // clips: share of time BLURRY, [0,1]
  std::vector<unsigned char> thumbnail_jpeg;  // small JPEG for HTML reports
};

// Says in r.reason that `low` of the `analysed` frames had too little
// texture to judge (judge() scored them 0.5, focusmeter/judgement.h), so a
// "no evidence" score is never taken for a verdict: "too little texture to
// judge focus", followed by " in N of M analysed frames" when not all were.
// Appended after any reason already there; nothing when low is 0.
void note_low_texture(Result& r, std::size_t low, std::size_t analysed);

}  // namespace focusmeter::report
