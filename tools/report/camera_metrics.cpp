#include "report/camera_metrics.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <sstream>

namespace focusmeter::report {

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string metric_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

namespace {

using Cameras = std::map<std::string, const CameraGauges*>;

std::string labels(const CameraGauges& c) {
  return "camera=\"" + escape_label_value(c.camera) + "\",name=\"" + escape_label_value(c.name) + "\"";
}

// One family: HELP and TYPE, then a sample per camera that has a value
// (`value` returns nullopt for none); nothing at all when no camera has one.
void family(std::ostringstream& o, const Cameras& cameras, const char* name, const char* help,
            const std::function<std::optional<double>(const CameraGauges&)>& value) {
  std::ostringstream samples;
  for (const auto& [_, c] : cameras)
    if (const auto v = value(*c)) samples << name << "{" << labels(*c) << "} " << metric_number(*v) << "\n";
  if (samples.tellp() == 0) return;
  o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << samples.str();
}

}  // namespace

std::string render_camera_metrics(const std::vector<CameraGauges>& cameras, const std::string& version) {
  Cameras by_identity;
  for (const CameraGauges& c : cameras) by_identity[c.camera] = &c;

  std::ostringstream o;
  family(o, by_identity, "focusmeter_camera_up", "1 when the camera's last check analysed a frame, 0 when it failed.",
         [](const CameraGauges& c) { return std::optional<double>(c.up ? 1 : 0); });
  family(o, by_identity, "focusmeter_camera_score",
         "The model's score of the camera's last analysed frame, its probability of BLURRY (at or above the "
         "threshold: BLURRY).",
         [](const CameraGauges& c) { return c.score; });
  family(o, by_identity, "focusmeter_camera_blurry",
         "1 when the camera's last verdict was BLURRY (absolute or drift), 0 when it was CLEAR.",
         [](const CameraGauges& c) { return c.blurry ? std::optional<double>(*c.blurry ? 1 : 0) : std::nullopt; });
  family(o, by_identity, "focusmeter_camera_relative_drop",
         "Focus drop of the camera's last frame against its own reference (0 none .. 1 total).",
         [](const CameraGauges& c) { return c.relative_drop; });
  family(o, by_identity, "focusmeter_camera_last_check_timestamp_seconds", "Unix time of the camera's last check.",
         [](const CameraGauges& c) { return c.last_check_time; });

  std::ostringstream incidents;
  for (const auto& [_, c] : by_identity)
    for (const auto& [kind, open] : c->incidents)
      incidents << "focusmeter_camera_incident_open{" << labels(*c) << ",kind=\"" << escape_label_value(kind) << "\"} "
                << (open ? 1 : 0) << "\n";
  if (incidents.tellp() > 0)
    o << "# HELP focusmeter_camera_incident_open 1 while an incident of this kind is open for the camera, else 0.\n"
         "# TYPE focusmeter_camera_incident_open gauge\n"
      << incidents.str();

  o << "# HELP focusmeter_build_info The focusmeter build answering; always 1.\n"
       "# TYPE focusmeter_build_info gauge\n"
       "focusmeter_build_info{version=\""
    << escape_label_value(version) << "\"} 1\n";
  return o.str();
}

}  // namespace focusmeter::report
