#include "serve/metrics.h"

#include <cstdio>
#include <sstream>

#include "serve/routes.h"

namespace focusmeter::serve {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

}  // namespace

std::string Metrics::path_label(const std::string& path) {
  const Route* route = find_route(path);
  return route ? route->path : "other";
}

void Metrics::record_request(const std::string& path, unsigned status, double seconds) {
  ++requests_[{path_label(path), status}];
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  ++buckets_[b];
  sum_ += seconds;
  ++count_;
}

void Metrics::record_tally(const Tally& t) {
  totals_.clear += t.clear;
  totals_.blurry += t.blurry;
  totals_.too_dark += t.too_dark;
  totals_.no_detail += t.no_detail;
  totals_.no_score += t.no_score;
  totals_.no_model += t.no_model;
  totals_.analysed += t.analysed;
  totals_.undecodable += t.undecodable;
}

std::uint64_t Metrics::requests(const std::string& path, unsigned status) const {
  const auto it = requests_.find({path_label(path), status});
  return it == requests_.end() ? 0 : it->second;
}

std::string Metrics::render() const {
  std::ostringstream o;
  o << "# HELP focusmeter_http_requests_total HTTP requests answered, by path and status code.\n"
       "# TYPE focusmeter_http_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    o << "focusmeter_http_requests_total{path=\"" << key.first << "\",code=\"" << key.second << "\"} " << n << "\n";

  std::map<unsigned, std::uint64_t> errors;
  for (const auto& [key, n] : requests_)
    if (key.second >= 400) errors[key.second] += n;
  o << "# HELP focusmeter_http_errors_total HTTP requests answered with a 4xx or 5xx status, by code.\n"
       "# TYPE focusmeter_http_errors_total counter\n";
  for (const auto& [code, n] : errors) o << "focusmeter_http_errors_total{code=\"" << code << "\"} " << n << "\n";

  o << "# HELP focusmeter_http_request_duration_seconds Time from request headers to the last response byte.\n"
       "# TYPE focusmeter_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += buckets_[b];
    o << "focusmeter_http_request_duration_seconds_bucket{le=\"" << number(kBuckets[b]) << "\"} " << cumulative << "\n";
  }
  cumulative += buckets_.back();
  o << "focusmeter_http_request_duration_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
    << "focusmeter_http_request_duration_seconds_sum " << number(sum_) << "\n"
    << "focusmeter_http_request_duration_seconds_count " << count_ << "\n";

  o << "# HELP focusmeter_analyses_total Images posted to /v1/analyze, by result.\n"
       "# TYPE focusmeter_analyses_total counter\n"
    << "focusmeter_analyses_total{result=\"analysed\"} " << totals_.analysed << "\n"
    << "focusmeter_analyses_total{result=\"undecodable\"} " << totals_.undecodable << "\n";
  o << "# HELP focusmeter_predictions_total Verdicts given by /v1/predict and /v1/analyze (UNKNOWN: nothing to "
       "judge).\n"
       "# TYPE focusmeter_predictions_total counter\n"
    << "focusmeter_predictions_total{verdict=\"CLEAR\"} " << totals_.clear << "\n"
    << "focusmeter_predictions_total{verdict=\"BLURRY\"} " << totals_.blurry << "\n"
    << "focusmeter_predictions_total{verdict=\"UNKNOWN\"} " << totals_.too_dark + totals_.no_detail << "\n";
  o << "# HELP focusmeter_no_verdicts_total Answers without a CLEAR or BLURRY verdict, by reason: too_dark and "
       "no_detail (verdict UNKNOWN), no_score (refused with 422), no_model (features only).\n"
       "# TYPE focusmeter_no_verdicts_total counter\n"
    << "focusmeter_no_verdicts_total{reason=\"too_dark\"} " << totals_.too_dark << "\n"
    << "focusmeter_no_verdicts_total{reason=\"no_detail\"} " << totals_.no_detail << "\n"
    << "focusmeter_no_verdicts_total{reason=\"no_score\"} " << totals_.no_score << "\n"
    << "focusmeter_no_verdicts_total{reason=\"no_model\"} " << totals_.no_model << "\n";
  o << "# HELP focusmeter_worker_jobs Jobs in the analysis worker pool, by state.\n"
       "# TYPE focusmeter_worker_jobs gauge\n"
    << "focusmeter_worker_jobs{state=\"queued\"} " << queued_ << "\n"
    << "focusmeter_worker_jobs{state=\"running\"} " << running_ << "\n";
  return o.str();
}

}  // namespace focusmeter::serve
