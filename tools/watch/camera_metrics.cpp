#include "watch/camera_metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

namespace focusmeter::watch {

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

void family(std::ostringstream& o, const char* name, const char* help) {
  o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n";
}

}  // namespace

std::string render_camera_metrics(const std::vector<CameraGauges>& cameras, const std::string& version) {
  std::map<std::string, const CameraGauges*> by_label;
  for (const CameraGauges& c : cameras) by_label[c.camera] = &c;

  std::ostringstream o;
  auto label = [](const CameraGauges& c) { return "{camera=\"" + escape_label_value(c.camera) + "\"}"; };

  family(o, "focusmeter_camera_up", "1 when the camera's last check analysed a frame, 0 when it failed.");
  for (const auto& [_, c] : by_label) o << "focusmeter_camera_up" << label(*c) << " " << (c->up ? 1 : 0) << "\n";

  family(o, "focusmeter_camera_score",
         "The model's score of the camera's last analysed frame (at or above the threshold: BLURRY).");
  for (const auto& [_, c] : by_label)
    if (c->score) o << "focusmeter_camera_score" << label(*c) << " " << metric_number(*c->score) << "\n";

  family(o, "focusmeter_camera_relative_drop",
         "Focus drop of the camera's last frame against its own reference (0 none .. 1 total).");
  for (const auto& [_, c] : by_label)
    if (c->relative_drop)
      o << "focusmeter_camera_relative_drop" << label(*c) << " " << metric_number(*c->relative_drop) << "\n";

  family(o, "focusmeter_camera_last_check_timestamp_seconds", "Unix time of the camera's last check.");
  for (const auto& [_, c] : by_label)
    if (c->last_check_time)
      o << "focusmeter_camera_last_check_timestamp_seconds" << label(*c) << " " << metric_number(*c->last_check_time)
        << "\n";

  family(o, "focusmeter_camera_incident_open", "1 while an incident of this kind is open for the camera, else 0.");
  for (const auto& [_, c] : by_label)
    for (IncidentKind k : kIncidentKinds) {
      const bool open = std::find(c->open_incidents.begin(), c->open_incidents.end(), k) != c->open_incidents.end();
      o << "focusmeter_camera_incident_open{camera=\"" << escape_label_value(c->camera) << "\",kind=\""
        << incident_kind_name(k) << "\"} " << (open ? 1 : 0) << "\n";
    }

  family(o, "focusmeter_build_info", "The focusmeter build answering; always 1.");
  o << "focusmeter_build_info{version=\"" << escape_label_value(version) << "\"} 1\n";
  return o.str();
}

}  // namespace focusmeter::watch
