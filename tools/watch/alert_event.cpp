#include "watch/alert_event.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "cli/url.h"
#include "nlohmann/json.hpp"

namespace focusmeter::watch {

namespace {

// Any scheme://user:password@ inside `text` loses its password.
std::string without_passwords(const std::string& text) {
  if (text.find('@') == std::string::npos) return text;
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t space = text.find_first_of(" \t\n", pos);
    const std::size_t end = space == std::string::npos ? text.size() : space;
    const std::string word = text.substr(pos, end - pos);
    out += cli::url_has_password(word) ? cli::redact_url(word, "") : word;
    if (end < text.size()) out += text[end];
    pos = end + 1;
  }
  return out;
}

nlohmann::json kinds_json(const std::vector<IncidentKind>& kinds) {
  nlohmann::json a = nlohmann::json::array();
  for (IncidentKind k : kinds) a.push_back(incident_kind_name(k));
  return a;
}

}  // namespace

std::string rfc3339_utc(double unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string alert_event_json(const AlertEvent& e) {
  nlohmann::json j;
  j["version"] = 1;
  j["camera"] = without_passwords(e.camera);
  j["name"] = without_passwords(e.name);
  j["event"] = e.event == Transition::Type::Open ? "open" : "close";
  j["kind"] = incident_kind_name(e.kind);
  j["time"] = rfc3339_utc(e.time);
  j["timestamp"] = e.time;
  j["score"] = e.score ? nlohmann::json(*e.score) : nlohmann::json(nullptr);
  j["reason"] = without_passwords(e.reason);
  j["check_id"] = e.check_id;
  j["incident_id"] = e.incident_id;
  j["open_incidents"] = kinds_json(e.open_incidents);
  // Invalid UTF-8 (a camera name from a file) is replaced, never a throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string camera_state_json(const AlertEvent& e) {
  nlohmann::json j;
  j["version"] = 1;
  j["camera"] = without_passwords(e.camera);
  j["name"] = without_passwords(e.name);
  j["time"] = rfc3339_utc(e.time);
  j["timestamp"] = e.time;
  j["state"] = e.open_incidents.empty() ? "ok" : "incident";
  j["open_incidents"] = kinds_json(e.open_incidents);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string mqtt_topic_level(const std::string& camera) {
  std::string out;
  for (unsigned char c : camera) {
    const bool plain =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace focusmeter::watch
