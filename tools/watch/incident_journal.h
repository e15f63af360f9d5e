// The glue between the debounce (incident_tracker.h) and the state store:
// a check, the incidents it opened or closed and the debounce counters it
// moved are written in one batch, and a restarted watch restores the
// tracker from the store. Together these make alerts once-per-transition
// across restarts: an incident the store holds open is never opened (and
// alerted) again, and one it holds closed is never closed again.
//
// The alert itself is sent by the caller after record_check returns (the
// store commit comes first): a crash between the two loses that alert
// rather than sending it twice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "watch/incident_tracker.h"
#include "watch/state_store.h"

namespace focusmeter::watch {

struct RecordedTransition {
  Transition transition;
  std::int64_t incident_id = 0;
};

struct RecordedCheck {
  std::int64_t check_id = 0;
  std::vector<RecordedTransition> transitions;
};

// Stores `check` (its camera_id must be `camera_id`), feeds `outcome` to the
// tracker under `camera` (the identity), and stores what changed, all in
// one batch. Throws StoreError with both the store and the tracker as they
// were before the call.
RecordedCheck record_check(StateStore& store, IncidentTracker& tracker, const std::string& camera,
                           std::int64_t camera_id, const CheckRecord& check, CheckOutcome outcome);

// Puts the camera's open incidents and debounce counters from the store
// into the tracker. Kinds the store does not know (written by a newer
// build) are ignored.
void restore_camera(StateStore& store, IncidentTracker& tracker, const std::string& camera, std::int64_t camera_id);

}  // namespace focusmeter::watch
