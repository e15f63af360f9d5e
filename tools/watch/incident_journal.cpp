#include "watch/incident_journal.h"

#include <array>

namespace focusmeter::watch {

namespace {

std::int64_t open_incident_id(StateStore& store, std::int64_t camera_id, IncidentKind kind) {
  for (const IncidentRecord& r : store.open_incidents(camera_id))
    if (r.kind == incident_kind_name(kind)) return r.id;
  throw StoreError(std::string("no open ") + incident_kind_name(kind) + " incident to close for camera " +
                   std::to_string(camera_id));
}

}  // namespace

RecordedCheck record_check(StateStore& store, IncidentTracker& tracker, const std::string& camera,
                           std::int64_t camera_id, const CheckRecord& check, CheckOutcome outcome) {
  std::array<DebounceState, kIncidentKinds.size()> before;
  for (std::size_t i = 0; i < kIncidentKinds.size(); ++i) before[i] = tracker.state(camera, kIncidentKinds[i]);
  try {
    StateStore::Batch batch(store);
    RecordedCheck out;
    out.check_id = store.add_check(check);
    for (const Transition& t : tracker.observe(camera, outcome)) {
      RecordedTransition rt{t, 0};
      if (t.type == Transition::Type::Open) {
        rt.incident_id = store.open_incident(camera_id, incident_kind_name(t.kind), check.time, out.check_id);
      } else {
        rt.incident_id = open_incident_id(store, camera_id, t.kind);
        store.close_incident(rt.incident_id, check.time, out.check_id);
      }
      out.transitions.push_back(rt);
    }
    for (IncidentKind k : kIncidentKinds)
      store.save_debounce(camera_id, incident_kind_name(k), tracker.state(camera, k).streak);
    batch.commit();
    return out;
  } catch (...) {
    for (std::size_t i = 0; i < kIncidentKinds.size(); ++i) tracker.restore(camera, kIncidentKinds[i], before[i]);
    throw;
  }
}

void restore_camera(StateStore& store, IncidentTracker& tracker, const std::string& camera, std::int64_t camera_id) {
  std::array<DebounceState, kIncidentKinds.size()> states{};
  for (const IncidentRecord& r : store.open_incidents(camera_id))
    if (const auto k = parse_incident_kind(r.kind)) states[static_cast<std::size_t>(*k)].open = true;
  for (const DebounceRecord& d : store.debounce(camera_id))
    if (const auto k = parse_incident_kind(d.kind)) states[static_cast<std::size_t>(*k)].streak = d.streak;
  for (std::size_t i = 0; i < kIncidentKinds.size(); ++i) tracker.restore(camera, kIncidentKinds[i], states[i]);
}

}  // namespace focusmeter::watch
