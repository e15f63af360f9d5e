// The alert a watch sends when an incident opens or closes, and its one
// JSON body (the same for the webhook, the MQTT events topic and the
// command hook's stdin):
//
//   {
//     "version": 1,                       // of this body
//     "camera": "rtsp://127.0.0.2:8554/gate",   // identity, never a password
//     "name": "gate",                     // display name ("" when none)
//     "event": "open",                    // "open" | "close"
//     "kind": "blurry",                   // incident_kind_name: blurry,
//                                         // view_changed, obscured, unavailable
//     "time": "2026-12-03T09:40:00Z",     // the check's time, UTC, RFC 3339
//     "timestamp": 1796290800.0,          // the same, Unix seconds
//     "score": 0.12,                      // the check's score, or null
//     "reason": "relative focus drop 0.41",  // one line, may be ""
//     "check_id": 42,                     // the check that caused it
//     "incident_id": 7,                   // the incident it opens or closes
//     "open_incidents": ["blurry"]        // all kinds open after this event
//   }
//
// A camera identity or reason that still holds a URL password is redacted
// (user:***@) before it goes out; callers should never pass one anyway.
//
// MQTT: the event goes to PREFIX/events (not retained); the camera's state
// (below) to PREFIX/<camera topic>/state, retained, so a dashboard that
// subscribes later sees every camera's current state:
//
//   {"version": 1, "camera": ..., "name": ..., "time": ..., "timestamp": ...,
//    "state": "incident" | "ok", "open_incidents": [...]}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "watch/incident_tracker.h"

namespace focusmeter::watch {

struct AlertEvent {
  std::string camera;  // identity
  std::string name;
  Transition::Type event = Transition::Type::Open;
  IncidentKind kind = IncidentKind::Blurry;
  double time = 0;  // Unix seconds
  std::optional<double> score;
  std::string reason;
  std::int64_t check_id = 0;
  std::int64_t incident_id = 0;
  std::vector<IncidentKind> open_incidents;  // after this event
};

std::string alert_event_json(const AlertEvent& e);
std::string camera_state_json(const AlertEvent& e);

// The camera as one MQTT topic level: every byte outside [A-Za-z0-9._-]
// becomes %XX, so '/', '+', '#' and ':' never split or wildcard a topic,
// and distinct identities never share a topic.
std::string mqtt_topic_level(const std::string& camera);

// "2026-12-03T09:40:00Z" (fraction of a second dropped).
std::string rfc3339_utc(double unix_seconds);

}  // namespace focusmeter::watch
