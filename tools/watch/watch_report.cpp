#include "watch/watch_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "nlohmann/json.hpp"
#include "watch/alert_event.h"

namespace focusmeter::watch {

namespace {

ReportCheck report_check(const CheckRecord& c) {
  ReportCheck r;
  r.time = c.time;
  r.status = c.status;
  r.label = c.verdict.value_or("");
  r.score = c.score;
  const nlohmann::json j = nlohmann::json::parse(c.features_json, nullptr, false);
  if (j.is_object() && j.contains("relative_drop") && j["relative_drop"].is_number())
    r.relative_drop = j["relative_drop"].get<double>();
  return r;
}

nlohmann::json check_json(const ReportCheck& c) {
  return {{"time", rfc3339_utc(c.time)},
          {"timestamp", c.time},
          {"status", c.status},
          {"label", c.label.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.label)},
          {"score", c.score ? nlohmann::json(*c.score) : nlohmann::json(nullptr)},
          {"relative_drop", c.relative_drop ? nlohmann::json(*c.relative_drop) : nlohmann::json(nullptr)}};
}

std::string csv_field(const std::string& s) {
  // Quoted when needed; a leading = + - @ is defused (spreadsheet formulas).
  std::string v = s;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string number(std::optional<double> v, const char* fmt = "%.4f") {
  if (!v) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, fmt, *v);
  return buf;
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  return o;
}

// An inline SVG of the score (blue) and the relative drop (red) over the
// period, both on 0..1; missing values leave gaps.
std::string chart(const ReportCamera& c, double since, double until) {
  const double w = 600, h = 120, span = std::max(until - since, 1.0);
  std::ostringstream svg;
  svg << "<svg width=\"" << w << "\" height=\"" << h << "\" viewBox=\"0 0 " << w << " " << h
      << "\" role=\"img\" aria-label=\"score and relative drop over time\">"
      << "<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\" stroke=\"#ccc\"/>";
  auto series = [&](auto get, const char* colour) {
    std::string points;
    for (const auto& k : c.checks) {
      const std::optional<double> v = get(k);
      if (!v) continue;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", (k.time - since) / span * w, (1.0 - std::clamp(*v, 0.0, 1.0)) * h);
      points += buf;
    }
    if (!points.empty())
      svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\"" << points << "\"/>";
  };
  series([](const ReportCheck& k) { return k.score; }, "#1f5fbf");
  series([](const ReportCheck& k) { return k.relative_drop; }, "#c0392b");
  svg << "</svg>";
  return svg.str();
}

}  // namespace

WatchReport build_watch_report(StateStore& store, double since, double until) {
  WatchReport r;
  r.since = since;
  r.until = until;
  for (const CameraRecord& cam : store.cameras()) {
    ReportCamera c;
    c.name = cam.name;
    c.identity = cam.identity;
    const auto all = store.checks(cam.id);
    for (const auto& k : all)
      if (k.time >= since && k.time <= until) c.checks.push_back(report_check(k));
    if (!all.empty()) c.last_check = report_check(all.back());
    // The trailing run of checks that analysed no picture.
    for (auto it = all.rbegin(); it != all.rend() && it->status != "ok"; ++it) c.unreachable_since = it->time;
    for (const auto& inc : store.incidents(cam.id))
      if (inc.opened_at <= until && (!inc.closed_at || *inc.closed_at >= since))
        c.incidents.push_back({inc.kind, inc.opened_at, inc.closed_at});
    r.cameras.push_back(std::move(c));
  }
  return r;
}

std::string watch_report_json(const WatchReport& r) {
  nlohmann::json j{{"version", 1}, {"since", rfc3339_utc(r.since)}, {"until", rfc3339_utc(r.until)}};
  j["cameras"] = nlohmann::json::array();
  for (const auto& c : r.cameras) {
    nlohmann::json cam{{"name", c.name}, {"identity", c.identity}};
    cam["last_check"] = c.last_check ? check_json(*c.last_check) : nlohmann::json(nullptr);
    cam["unreachable_since"] =
        c.unreachable_since ? nlohmann::json(rfc3339_utc(*c.unreachable_since)) : nlohmann::json(nullptr);
    cam["checks"] = nlohmann::json::array();
    for (const auto& k : c.checks) cam["checks"].push_back(check_json(k));
    cam["incidents"] = nlohmann::json::array();
    for (const auto& i : c.incidents)
      cam["incidents"].push_back(
          {{"kind", i.kind},
           {"opened_at", rfc3339_utc(i.opened_at)},
           {"closed_at", i.closed_at ? nlohmann::json(rfc3339_utc(*i.closed_at)) : nlohmann::json(nullptr)}});
    j["cameras"].push_back(std::move(cam));
  }
  return j.dump(2) + "\n";
}

std::string watch_report_csv(const WatchReport& r) {
  std::string out = "camera,identity,time,status,label,score,relative_drop\n";
  for (const auto& c : r.cameras)
    for (const auto& k : c.checks)
      out += csv_field(c.name) + "," + csv_field(c.identity) + "," + rfc3339_utc(k.time) + "," + csv_field(k.status) +
             "," + csv_field(k.label) + "," + number(k.score) + "," + number(k.relative_drop) + "\n";
  return out;
}

std::string watch_report_html(const WatchReport& r) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>focusmeter watch report</title>"
    << "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:2px 8px;"
    << "border-bottom:1px solid #ddd;text-align:left}.bad{color:#c0392b}.key "
       "span{margin-right:1em}</style></head><body>\n"
    << "<h1>focusmeter watch report</h1><p>" << rfc3339_utc(r.since) << " to " << rfc3339_utc(r.until) << ", "
    << r.cameras.size() << " camera(s)</p>\n<p class=\"key\"><span style=\"color:#1f5fbf\">&#9632; score</span>"
    << "<span style=\"color:#c0392b\">&#9632; relative drop</span> (both 0 at the bottom, 1 at the top)</p>\n";
  for (const auto& c : r.cameras) {
    o << "<h2>" << html_escape(c.name) << "</h2><p>" << html_escape(c.identity) << "</p>\n";
    if (c.unreachable_since)
      o << "<p class=\"bad\">unreachable since " << rfc3339_utc(*c.unreachable_since) << "</p>\n";
    if (c.last_check)
      o << "<p>last check " << rfc3339_utc(c.last_check->time) << ": " << html_escape(c.last_check->status)
        << (c.last_check->label.empty() ? "" : ", " + html_escape(c.last_check->label)) << "</p>\n";
    else
      o << "<p>never checked</p>\n";
    o << chart(c, r.since, r.until) << "\n<p>" << c.checks.size() << " check(s) in the period</p>\n";
    if (!c.incidents.empty()) {
      o << "<table><tr><th>incident</th><th>opened</th><th>closed</th></tr>\n";
      for (const auto& i : c.incidents)
        o << "<tr><td>" << html_escape(i.kind) << "</td><td>" << rfc3339_utc(i.opened_at) << "</td><td>"
          << (i.closed_at ? rfc3339_utc(*i.closed_at) : std::string("<b class=\"bad\">open</b>")) << "</td></tr>\n";
      o << "</table>\n";
    }
  }
  o << "</body></html>\n";
  return o.str();
}

}  // namespace focusmeter::watch
