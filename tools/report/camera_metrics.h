// The per-camera gauges of `focusmeter watch` (its /metrics endpoint) and
// `focusmeter scan --format prometheus` (a node_exporter textfile), in the
// Prometheus text exposition format (version 0.0.4). Pure: the caller
// passes the current values.
//
//   focusmeter_camera_up{camera,name}                 1 when the last check
//       analysed a frame, 0 when the camera could not be reached or decoded
//   focusmeter_camera_score{camera,name}              the last check's score
//       in [0, 1]: the model's probability of BLURRY (at or above the
//       threshold: BLURRY)
//   focusmeter_camera_blurry{camera,name}             1 when the last
//       check's verdict was BLURRY (watch: absolute or drift), 0 CLEAR
//   focusmeter_camera_relative_drop{camera,name}      the last check's focus
//       drop against the camera's reference, in [0, 1] (watch only)
//   focusmeter_camera_last_check_timestamp_seconds{camera,name}   Unix time
//   focusmeter_camera_incident_open{camera,name,kind} 1 while an incident of
//       that kind is open, else 0; one series per incident kind the caller
//       tracks (watch: all four; scan keeps no incidents, so none)
//   focusmeter_build_info{version}                    always 1
//
// Labels: `camera` is the camera's identity (scan/camera_identity.h: its URL
// without user, password and default port, or rtsp://host:port[#channel=N]),
// the same in scan and watch, on every machine and in every run, so it keys
// the series; `name` is its display name, for people. Neither ever holds a
// password.
//
// Every family with a sample has HELP and TYPE lines (all are gauges); a
// family without any sample is left out. A value the camera does not have
// (no score while unreachable, no verdict, no drop without a reference,
// never checked) is left out rather than written as NaN, so a query sees
// "absent", not a number. Label values are escaped per the format
// (backslash, double quote, line feed). Cameras are written sorted by
// identity; two entries with the same identity collapse into the last one
// (the format allows one series per label set).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace focusmeter::report {

struct CameraGauges {
  std::string camera;  // label `camera`: the identity
  std::string name;    // label `name`: the display name
  bool up = false;
  std::optional<double> score;
  std::optional<bool> blurry;  // the last verdict: true BLURRY, false CLEAR; absent without one
  std::optional<double> relative_drop;
  std::optional<double> last_check_time;  // Unix seconds
  // (kind, open) per incident kind tracked, e.g. {"blurry", true}.
  std::vector<std::pair<std::string, bool>> incidents;
};

std::string render_camera_metrics(const std::vector<CameraGauges>& cameras, const std::string& version);

// A label value escaped for the text format: \ -> \\, " -> \", LF -> \n.
std::string escape_label_value(const std::string& value);
// Shortest text that reads back as the same double; NaN, +Inf, -Inf.
std::string metric_number(double v);

}  // namespace focusmeter::report
