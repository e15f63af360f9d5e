#include "watch/watch_cameras.h"

#include <glib.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "nlohmann/json.hpp"
#include "scan/camera_identity.h"

namespace focusmeter::watch {

std::optional<double> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = g_ascii_strtod(text.c_str(), &end);
  if (end == text.c_str()) return std::nullopt;
  const std::string unit(end);
  double scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1;
  else if (unit == "m" || unit == "min")
    scale = 60;
  else if (unit == "h")
    scale = 3600;
  else if (unit == "d")
    scale = 86400;
  if (scale == 0 || !(v > 0) || !std::isfinite(v * scale)) return std::nullopt;
  return v * scale;
}

namespace {

std::optional<double> number_field(const nlohmann::json& e, const char* key) {
  if (!e.contains(key) || e[key].is_null()) return std::nullopt;
  if (e[key].is_number()) return e[key].get<double>();
  if (e[key].is_string()) {
    char* end = nullptr;
    const std::string s = e[key].get<std::string>();
    const double v = g_ascii_strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0') return v;
  }
  throw scan::TargetError(std::string("'") + key + "' must be a number");
}

WatchFields fields_of(const nlohmann::json& e) {
  WatchFields f;
  if (!e.is_object()) return f;  // scan's parser names that error
  if (e.contains("every") && !e["every"].is_null()) {
    const std::string text = e["every"].is_number()   ? std::to_string(e["every"].get<double>())
                             : e["every"].is_string() ? e["every"].get<std::string>()
                                                      : std::string();
    f.every_s = parse_duration(text);
    if (!f.every_s || *f.every_s < 1)
      throw scan::TargetError("'every' must be a duration of 1 s or more, e.g. 300, 5m");
  }
  f.threshold = number_field(e, "threshold");
  if (f.threshold && !(*f.threshold > 0 && *f.threshold < 1)) throw scan::TargetError("'threshold' must be in (0, 1)");
  f.drift = number_field(e, "drift");
  if (f.drift && !(*f.drift > 0 && *f.drift < 1)) throw scan::TargetError("'drift' must be in (0, 1)");
  if (e.contains("reference")) {
    const auto mode =
        e["reference"].is_string() ? parse_reference_mode(e["reference"].get<std::string>()) : std::nullopt;
    if (!mode) throw scan::TargetError("'reference' must be auto or manual");
    f.reference = *mode;
  }
  return f;
}

}  // namespace

std::vector<WatchFields> read_watch_fields(const std::string& path) {
  g_autofree gchar* text = nullptr;
  gsize len = 0;
  if (!g_file_get_contents(path.c_str(), &text, &len, nullptr)) return {};  // scan's reader names the problem
  nlohmann::json doc = nlohmann::json::parse(text, text + len, nullptr, false);
  if (doc.is_discarded()) return {};  // a CSV list (or bad JSON, which scan's reader refuses)
  if (doc.is_object() && doc.contains("cameras")) doc = doc["cameras"];
  std::vector<WatchFields> out;
  if (!doc.is_array()) return out;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    try {
      out.push_back(fields_of(doc[i]));
    } catch (const scan::TargetError& e) {
      throw scan::TargetError(path + ": camera " + std::to_string(i + 1) + ": " + e.what());
    }
  }
  return out;
}

std::vector<WatchCamera> expand_cameras(const std::vector<scan::TargetSpec>& specs,
                                        const std::vector<WatchFields>& fields, const std::vector<int>& channels,
                                        int default_port) {
  std::vector<WatchCamera> out;
  std::set<std::string> seen;
  scan::TargetCursor cursor(specs, channels);
  while (auto t = cursor.next()) {
    WatchCamera c;
    c.target = *t;
    const std::size_t spec_index = static_cast<std::size_t>(t->spec - specs.data());
    if (spec_index < fields.size()) c.fields = fields[spec_index];
    const scan::CameraKey key = scan::camera_key(*t, default_port);
    c.identity = key.identity;
    c.name = key.name;
    if (!seen.insert(c.identity).second)
      throw scan::TargetError("camera '" + c.name + "' is listed twice (" + c.identity + ")");
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace focusmeter::watch
