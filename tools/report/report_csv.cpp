// CSV report (RFC 4180: comma-separated, CRLF-free, quoted when needed), one
// header row then one row per result; clip timelines are summarised as the
// segment count and the BLURRY share.
#include <cmath>
#include <cstdio>

#include "report/report.h"

namespace focusmeter::cli {
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
  std::vector<std::string> header =
      scan ? std::vector<std::string>{"target", "host", "url", "brand"} : std::vector<std::string>{"source", "kind"};
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
        scan ? std::vector<std::string>{r.target, r.host, r.url, r.brand} : std::vector<std::string>{r.source, r.kind};
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
    f.push_back(r.snapshot);
    f.push_back(r.reason);
    f.push_back(number(std::round(r.elapsed_ms * 10) / 10));
    emit(f);
  }
}

}  // namespace focusmeter::cli
