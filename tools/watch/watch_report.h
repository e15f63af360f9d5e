// `focusmeter watch report`: what the state file says about every camera
// over a period, as JSON, CSV or a self-contained HTML page. Read-only (a
// running watch may write the file meanwhile: WAL readers see committed
// data only).
//
// Per camera: its checks in the period (time, status, label, score,
// relative drop), its incidents that were open at any time in the period,
// its last check, and, when its latest checks all failed to analyse a
// picture, "unreachable since" the first of them. A camera that stopped
// answering, or that is no longer in the watch's list and so no longer
// checked, is still listed (with its last check), never dropped.
//
//   JSON: {"version": 1, "since": T, "until": T, "cameras": [{"name", "identity",
//          "last_check": {...} | null, "unreachable_since": T | null,
//          "checks": [{"time", "status", "label", "score", "relative_drop"}],
//          "incidents": [{"kind", "opened_at", "closed_at" | null}]}]}
//   CSV:  one row per check: camera,identity,time,status,label,score,relative_drop
//   HTML: per camera a chart of the score and the relative drop over time,
//         the incidents, the last check and "unreachable since".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "watch/state_store.h"

namespace focusmeter::watch {

struct ReportCheck {
  double time = 0;
  std::string status;  // "ok", "unreachable", ...
  std::string label;   // "CLEAR", "BLURRY (drift)", ...; "" when no picture
  std::optional<double> score;
  std::optional<double> relative_drop;
};

struct ReportIncident {
  std::string kind;
  double opened_at = 0;
  std::optional<double> closed_at;
};

struct ReportCamera {
  std::string name;
  std::string identity;
  std::vector<ReportCheck> checks;        // in the period, oldest first
  std::optional<ReportCheck> last_check;  // ever
  std::optional<double> unreachable_since;
  std::vector<ReportIncident> incidents;
};

struct WatchReport {
  double since = 0;
  double until = 0;
  std::vector<ReportCamera> cameras;
};

WatchReport build_watch_report(StateStore& store, double since, double until);

std::string watch_report_json(const WatchReport& r);
std::string watch_report_csv(const WatchReport& r);
std::string watch_report_html(const WatchReport& r);

}  // namespace focusmeter::watch
