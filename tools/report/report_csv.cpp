// CSV report (RFC 4180: comma-separated, CRLF-free, quoted when needed; text
// cells that start like a formula are defused with a leading '), one
// header row then one row per result; clip timelines are summarised as the
// segment count and the BLURRY share.
#include <cmath>
#include <cstdio>
#include <string_view>

#include "report/report.h"

namespace focusmeter::report {
namespace {

std::string quoted(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string q = "\"";
  for (char c : field) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

// A text cell a spreadsheet would run as a formula (=, +, -, @, or a tab or
// CR before one) gets a leading apostrophe, as OWASP advises for CSV
// injection: a file named "=cmd|' /C calc'!A0.jpg" stays text. Only text
// columns: numbers are written by number() and may be negative.
std::string text(const std::string& field) {
  if (!field.empty() && std::string_view("=+-@\t\r").find(field[0]) != std::string_view::npos) return "'" + field;
  return field;
}

std::string number(double v) {
  if (!std::isfinite(v)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string optional_number(const std::optional<double>& v) { return v ? number(*v) : ""; }

}  // namespace

void write_csv(std::ostream& out, const Report& report) {
  const bool scan = report.kind == ReportKind::Scan;
  std::vector<std::string> header = scan ? std::vector<std::string>{"target", "host", "channel", "url", "brand"}
                                         : std::vector<std::string>{"source", "kind"};
  for (const char* h : {"status", "verdict", "score"}) header.push_back(h);
  if (!scan) header.push_back("blurry_share");
  for (std::size_t i = 0; i < kFeatureCount; ++i) header.emplace_back(feature_name(static_cast<Feature>(i)));
  for (const char* h : {"width", "height"}) header.push_back(h);
  if (!scan) header.push_back("segments");
  for (const char* h : {"snapshot", "reason", "elapsed_ms"}) header.push_back(h);

  auto emit = [&](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << quoted(fields[i]);
    out << '\n';
  };
  emit(header);
  for (const Result& r : report.results) {
    std::vector<std::string> f =
        scan ? std::vector<std::string>{text(r.target), text(r.host), r.channel > 0 ? std::to_string(r.channel) : "",
                                        text(r.url), text(r.brand)}
             : std::vector<std::string>{text(r.source), r.kind};
    f.push_back(status_name(r.status));
    f.push_back(r.verdict ? verdict_name(*r.verdict) : "");
    f.push_back(optional_number(r.score));
    if (!scan) f.push_back(optional_number(r.blurry_share));
    for (std::size_t i = 0; i < kFeatureCount; ++i) {
      const auto feat = static_cast<Feature>(i);
      f.push_back(r.status == Status::Ok && r.features.has(feat) ? number(r.features[feat]) : "");
    }
    f.push_back(r.width > 0 ? std::to_string(r.width) : "");
    f.push_back(r.height > 0 ? std::to_string(r.height) : "");
    if (!scan) f.push_back(r.timeline.empty() ? "" : std::to_string(r.timeline.size()));
    f.push_back(text(r.snapshot));
    f.push_back(text(r.reason));
    f.push_back(number(std::round(r.elapsed_ms * 10) / 10));
    emit(f);
  }
  // A comment line (most CSV readers skip "#" lines when asked to) rather
  // than a fake row: the rows above are all real results.
  if (report.partial) out << "# partial: " << report.interrupted << '\n';
}

}  // namespace focusmeter::report
