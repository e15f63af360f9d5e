// JSON and JSON Lines reports (schema: docs/reports.md).
#include <cmath>

#include "report/report.h"

namespace focusmeter::report {
namespace {

using nlohmann::json;

// Absent values are JSON null, so every result has the same keys.
template <typename T>
json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json features_json(const FeatureVector& fv) {
  json out = json::object();
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    if (fv.has(f)) out[std::string(feature_name(f))] = number_or_null(fv[f]);
  }
  return out;
}

json timeline_json(const std::vector<Segment>& timeline) {
  json out = json::array();
  for (const Segment& s : timeline)
    out.push_back(
        {{"start", s.start}, {"end", s.end}, {"score", number_or_null(s.score)}, {"verdict", verdict_name(s.verdict)}});
  return out;
}

}  // namespace

json result_to_json(const Result& r, ReportKind kind) {
  json j = json::object();
  if (kind == ReportKind::Scan) {
    j["target"] = r.target;
    j["host"] = r.host;
    if (r.channel > 0) j["channel"] = r.channel;
    j["url"] = r.url;
    j["brand"] = r.brand;
  } else {
    j["source"] = r.source;
    j["kind"] = r.kind;
  }
  j["status"] = status_name(r.status);
  j["verdict"] = r.verdict ? json(verdict_name(*r.verdict)) : json(nullptr);
  j["score"] = r.score ? number_or_null(*r.score) : json(nullptr);
  j["features"] = r.status == Status::Ok ? features_json(r.features) : json(nullptr);
  j["width"] = r.width > 0 ? json(r.width) : json(nullptr);
  j["height"] = r.height > 0 ? json(r.height) : json(nullptr);
  if (kind == ReportKind::Check) {
    j["timeline"] = timeline_json(r.timeline);
    j["blurry_share"] = optional_json(r.blurry_share);
  }
  j["snapshot"] = r.snapshot.empty() ? json(nullptr) : json(r.snapshot);
  j["reason"] = r.reason;
  j["elapsed_ms"] = std::round(r.elapsed_ms * 10) / 10;
  return j;
}

json summary_to_json(const Summary& s, ReportKind kind) {
  json j = json::object();
  j[kind == ReportKind::Scan ? "targets" : "inputs"] = s.total;
  j["ok"] = s.count(Status::Ok);
  j["clear"] = s.clear;
  j["blurry"] = s.blurry;
  j["no_verdict"] = s.no_verdict;
  // Every failure status, zero or not, so consumers need no key checks.
  for (Status st : {Status::Unreachable, Status::AuthFailed, Status::NotFound, Status::Timeout, Status::StreamError,
                    Status::Error, Status::NoPicture})
    j[status_name(st)] = s.count(st);
  j["exit_status"] = exit_status(s);
  return j;
}

json report_to_json(const Report& report) {
  json results = json::array();
  for (const Result& r : report.results) results.push_back(result_to_json(r, report.kind));
  json j = json::object();
  j["schema_version"] = kReportSchemaVersion;
  j["command"] = report.kind == ReportKind::Scan ? "scan" : "check";
  j["started"] = report.started;
  j["model"] = optional_json(report.model);
  j["threshold"] = optional_json(report.threshold);
  j["elapsed_ms"] = std::round(report.elapsed_ms);
  j["partial"] = report.partial;
  j["interrupted"] = report.partial ? json(report.interrupted) : json(nullptr);
  j["results"] = std::move(results);
  j["summary"] = summary_to_json(summarize(report.results), report.kind);
  return j;
}

void write_json(std::ostream& out, const Report& report) {
  out << report_to_json(report).dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

void write_jsonl_line(std::ostream& out, const Result& r, ReportKind kind) {
  // File names need not be UTF-8: invalid bytes become U+FFFD, never an exception.
  out << result_to_json(r, kind).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  out.flush();  // a reader tailing the file sees each result as it finishes
}

}  // namespace focusmeter::report
