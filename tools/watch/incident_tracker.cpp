#include "watch/incident_tracker.h"

#include <algorithm>

namespace focusmeter::watch {

const char* incident_kind_name(IncidentKind k) {
  switch (k) {
    case IncidentKind::Blurry:
      return "blurry";
    case IncidentKind::ViewChanged:
      return "view_changed";
    case IncidentKind::Obscured:
      return "obscured";
    case IncidentKind::Unavailable:
      return "unavailable";
  }
  return "unavailable";
}

std::optional<IncidentKind> parse_incident_kind(const std::string& s) {
  for (IncidentKind k : kIncidentKinds)
    if (s == incident_kind_name(k)) return k;
  return std::nullopt;
}

const char* check_outcome_name(CheckOutcome o) {
  switch (o) {
    case CheckOutcome::Clear:
      return "clear";
    case CheckOutcome::Blurry:
      return "blurry";
    case CheckOutcome::ViewChanged:
      return "view_changed";
    case CheckOutcome::Obscured:
      return "obscured";
    case CheckOutcome::Inconclusive:
      return "inconclusive";
    case CheckOutcome::Unavailable:
      return "unavailable";
  }
  return "unavailable";
}

Evidence evidence_for(CheckOutcome outcome, IncidentKind kind) {
  constexpr Evidence G = Evidence::Good, B = Evidence::Bad, N = Evidence::None;
  // Rows: CheckOutcome order; columns: IncidentKind order (see the header).
  constexpr Evidence table[6][4] = {
      {G, G, G, G},  // clear
      {B, N, G, G},  // blurry
      {N, B, N, G},  // view_changed
      {N, N, B, G},  // obscured
      {N, N, G, G},  // inconclusive
      {N, N, N, B},  // unavailable
  };
  return table[static_cast<int>(outcome)][static_cast<int>(kind)];
}

IncidentTracker::IncidentTracker(int confirm) : confirm_(std::max(confirm, 1)) {}

std::vector<Transition> IncidentTracker::observe(const std::string& camera, CheckOutcome outcome) {
  std::vector<Transition> out;
  for (IncidentKind kind : kIncidentKinds) {
    const Evidence e = evidence_for(outcome, kind);
    if (e == Evidence::None) continue;
    DebounceState& s = states_[{camera, kind}];
    // Evidence against the current state extends the streak; evidence for it
    // breaks the streak.
    const bool towards_change = s.open ? e == Evidence::Good : e == Evidence::Bad;
    if (!towards_change) {
      s.streak = 0;
      continue;
    }
    if (++s.streak < confirm_) continue;
    s.open = !s.open;
    s.streak = 0;
    out.push_back({camera, kind, s.open ? Transition::Type::Open : Transition::Type::Close});
  }
  return out;
}

DebounceState IncidentTracker::state(const std::string& camera, IncidentKind kind) const {
  const auto it = states_.find({camera, kind});
  return it == states_.end() ? DebounceState{} : it->second;
}

void IncidentTracker::restore(const std::string& camera, IncidentKind kind, DebounceState s) {
  s.streak = std::clamp(s.streak, 0, confirm_ - 1);
  states_[{camera, kind}] = s;
}

}  // namespace focusmeter::watch
