#include "report/result.h"

#include <cmath>

namespace focusmeter::report {

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::Unreachable:
      return "unreachable";
    case Status::AuthFailed:
      return "auth_failed";
    case Status::NotFound:
      return "not_found";
    case Status::Timeout:
      return "timeout";
    case Status::StreamError:
      return "stream_error";
    case Status::Error:
      return "error";
    case Status::NoPicture:
      return "no_picture";
  }
  return "error";
}

namespace {

void prepend_reason(Result& r, const std::string& line) { r.reason = r.reason.empty() ? line : line + "; " + r.reason; }

}  // namespace

bool is_unknown(const Result& r) {
  return r.status == Status::Ok && !r.verdict && r.no_verdict && r.no_verdict->kind != NoVerdictKind::NoModel;
}

void apply_judgement(Result& r, const Judgement& j) {
  r.verdict = j.verdict;
  r.score = j.score;
  r.no_verdict = j.verdict ? std::nullopt : j.no_verdict;
  if (r.no_verdict) prepend_reason(r, r.no_verdict->detail);
}

void apply_aggregate(Result& r, const AggregateResult& a) {
  r.verdict = a.verdict;
  r.score = a.score;
  r.blurry_share = a.blurry_share;
  r.unknown_share = a.unknown_share;
  r.no_verdict = a.verdict ? std::nullopt : a.no_verdict;
  if (r.no_verdict) {
    std::string line = r.no_verdict->detail;
    if (a.frames > 1) line += " (all " + std::to_string(a.frames) + " analysed frames)";
    prepend_reason(r, line);
  } else if (a.unknown_frames > 0 && a.unknown_reason) {
    prepend_reason(r, "no verdict for " + std::to_string(a.unknown_frames) + " of " + std::to_string(a.frames) +
                          " analysed frames: " + a.unknown_reason->detail);
  }
}

void note_partial_focus(Result& r) {
  if (!r.map || !r.map->partial) return;
  const std::string line =
      "partly out of focus: " + std::to_string(static_cast<int>(std::lround(r.map->soft_share * 100))) +
      " % of the judged tiles are soft";
  r.reason = r.reason.empty() ? line : r.reason + "; " + line;
}

}  // namespace focusmeter::report
