// One watch check of one camera, start to end: the stream through scan's
// path (scan_target: probe, routes, ONVIF, credentials; keyframes only, a
// few of them, then disconnect), the picture's signature, the verdict
// against the camera's reference of the same light mode
// (relative_verdict.h), and the record: the check, the incidents it opens
// or closes and the debounce counters in one store transaction
// (incident_journal.h), then, when the camera has no reference of that mode
// yet and is learning, a new reference once enough healthy checks exist
// (reference.h).
//
// Thread-safe: the probe runs unlocked; the store and the tracker are
// touched under WatchState's lock only. Never throws for a camera's sake (a
// store failure is thrown: the watch cannot go on without its state).
#pragma once

#include <cstdint>
#include <mutex>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/result.h"
#include "scan/camera_scan.h"
#include "watch/incident_journal.h"
#include "watch/relative_verdict.h"
#include "watch/state_store.h"
#include "watch/watch_cameras.h"

namespace focusmeter::watch {

struct WatchState {
  explicit WatchState(const std::string& path, int confirm) : store(path), tracker(confirm) {}
  std::mutex lock;
  StateStore store;
  IncidentTracker tracker;
};

struct CheckSettings {
  scan::ScanSettings scan;  // stream.keyframes_only and want_frame are forced on
  RelativeThresholds thresholds;
  int learn_checks = kDefaultLearnChecks;
};

struct CheckReport {
  report::Result result;  // scan's row: status, reason, url (redacted), score, features
  WatchJudgement judgement;
  double time = 0;  // Unix seconds
  std::int64_t check_id = 0;
  std::vector<RecordedTransition> transitions;
  std::vector<IncidentKind> open_incidents;  // after this check
  std::optional<LightMode> mode;             // of the picture, when one was analysed
  bool reference_learned = false;            // this check completed a reference
};

// Registers the camera in the store (sets camera_id) and restores its
// debounce state; once per camera at start.
void register_camera(WatchState& state, WatchCamera& camera);

CheckReport check_camera(const WatchCamera& camera, const CheckSettings& settings, WatchState& state);

// The check's features JSON: the signature plus the watch's findings
// (absolute_verdict, relative_drop, view_correlation, reason, learnable).
std::string check_features_json(const CheckReport& report, const std::optional<FrameSignature>& signature,
                                bool learnable);

// Adds a reference for the check `check_id` of `camera_id` (its signature
// and mode); false with `error` when the check has no analysed picture.
bool set_reference_from_check(StateStore& store, std::int64_t camera_id, std::int64_t check_id, double now,
                              std::string& error);

}  // namespace focusmeter::watch
