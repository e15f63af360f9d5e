// Debounce: turns a stream of per-check outcomes into incident open/close
// transitions, so an alert goes out once per transition, never per check.
// Pure: no I/O, no clock; the caller feeds outcomes in check order.
//
// Each camera has one independent debounce per incident kind, because one
// check can say something about one kind and nothing about another (an
// unreachable camera tells nothing about focus). For a kind, a check gives
// Good, Bad or no evidence (the table below):
// - no incident open: each Bad adds one to the streak, each Good resets it;
//   at `confirm` consecutive Bad the incident opens (one Open event) and the
//   streak restarts at 0;
// - incident open: each Good adds one, each Bad resets it; at `confirm`
//   consecutive Good the incident closes (one Close event);
// - no evidence leaves the streak and the incident as they are: it neither
//   confirms nor clears. A camera that goes offline during a blur incident
//   keeps the blur incident open and, after `confirm` unreachable checks,
//   opens an "unavailable" one beside it.
//
// Evidence per outcome (rows) and kind (columns); G good, B bad, - none:
//
//                 blurry  view_changed  obscured  unavailable
//   clear           G          G           G          G
//   blurry          B          -           G          G
//   view_changed    -          B           -          G
//   obscured        -          -           B          G
//   inconclusive    -          -           G          G
//   unavailable     -          -           -          B
//
// "blurry" covers both the absolute BLURRY verdict and the relative BLURRY
// (drift); a blurry frame is not evidence that the view still matches.
// "inconclusive" is a frame that could not be judged (too little texture):
// the camera answered, nothing more. "unavailable" is every status where no
// frame was analysed: unreachable, auth_failed, not_found, timeout,
// stream_error.
//
// Restart: state(camera, kind) is what the store keeps (an open incident
// and the streak, StateStore::debounce); restore() puts it back, so a
// restarted watch neither re-opens an incident already alerted nor forgets
// a streak half way to `confirm`.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace focusmeter::watch {

enum class IncidentKind { Blurry, ViewChanged, Obscured, Unavailable };
constexpr std::array<IncidentKind, 4> kIncidentKinds = {IncidentKind::Blurry, IncidentKind::ViewChanged,
                                                        IncidentKind::Obscured, IncidentKind::Unavailable};
// "blurry", "view_changed", "obscured", "unavailable" (the store's and the
// alert's spelling).
const char* incident_kind_name(IncidentKind k);
std::optional<IncidentKind> parse_incident_kind(const std::string& s);

enum class CheckOutcome { Clear, Blurry, ViewChanged, Obscured, Inconclusive, Unavailable };
const char* check_outcome_name(CheckOutcome o);  // "clear", "blurry", ...

enum class Evidence { Good, Bad, None };
Evidence evidence_for(CheckOutcome outcome, IncidentKind kind);  // the table above

// The debounce of one camera and kind.
struct DebounceState {
  bool open = false;  // an incident of this kind is open
  int streak = 0;     // consecutive Bad (closed) or Good (open) checks
  bool operator==(const DebounceState& o) const { return open == o.open && streak == o.streak; }
};

struct Transition {
  enum class Type { Open, Close };
  std::string camera;
  IncidentKind kind = IncidentKind::Blurry;
  Type type = Type::Open;
};

class IncidentTracker {
 public:
  // `confirm` >= 1 consecutive checks open and close an incident; lower
  // values are taken as 1.
  explicit IncidentTracker(int confirm = 3);
  int confirm() const { return confirm_; }

  // Feeds one check of `camera`; returns the transitions it caused (none
  // for most checks; at most one per kind, in kIncidentKinds order).
  std::vector<Transition> observe(const std::string& camera, CheckOutcome outcome);

  DebounceState state(const std::string& camera, IncidentKind kind) const;
  bool incident_open(const std::string& camera, IncidentKind kind) const { return state(camera, kind).open; }
  // Puts back a state read from the store. A streak at or above `confirm`
  // (written by a run with a larger --confirm) is clamped to confirm - 1,
  // so restoring never fires a transition by itself.
  void restore(const std::string& camera, IncidentKind kind, DebounceState s);

 private:
  int confirm_;
  std::map<std::pair<std::string, IncidentKind>, DebounceState> states_;
};

}  // namespace focusmeter::watch
