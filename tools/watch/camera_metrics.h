// The per-camera gauges of `focusmeter watch` in the Prometheus text
// exposition format (version 0.0.4), for a /metrics endpoint or a
// node_exporter textfile. Pure: the caller passes the current values.
//
//   focusmeter_camera_up{camera}                      1 when the last check
//       analysed a frame, 0 when the camera could not be reached or decoded
//   focusmeter_camera_score{camera}                   the last check's score
//       in [0, 1] (higher is sharper)
//   focusmeter_camera_relative_drop{camera}           the last check's focus
//       drop against the camera's reference, in [0, 1]
//   focusmeter_camera_last_check_timestamp_seconds{camera}   Unix time
//   focusmeter_camera_incident_open{camera,kind}      1 while an incident of
//       that kind is open, else 0; one series per incident kind
//   focusmeter_build_info{version}                    always 1
//
// Every family has HELP and TYPE lines (all are gauges). A value the camera
// does not have (no score while unreachable, no drop without a reference,
// never checked) is left out rather than written as NaN, so a query sees
// "absent", not a number. Label values are escaped per the format
// (backslash, double quote, line feed). Cameras are written sorted by
// label; two entries with the same camera collapse into the last one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "watch/incident_tracker.h"

namespace focusmeter::watch {

struct CameraGauges {
  std::string camera;  // the label value: the camera's identity or name
  bool up = false;
  std::optional<double> score;
  std::optional<double> relative_drop;
  std::optional<double> last_check_time;  // Unix seconds
  std::vector<IncidentKind> open_incidents;
};

std::string render_camera_metrics(const std::vector<CameraGauges>& cameras, const std::string& version);

// A label value escaped for the text format: \ -> \\, " -> \", LF -> \n.
std::string escape_label_value(const std::string& value);
// Shortest text that reads back as the same double; NaN, +Inf, -Inf.
std::string metric_number(double v);

}  // namespace focusmeter::watch
