#include "scan/scan_report.h"

#include <glib.h>

#include <algorithm>
#include <cstdio>

#include "cli/exit_codes.h"
#include "cli/interrupt.h"

namespace focusmeter::scan {

ScanReport::ScanReport(cli::ReportOutput& output, report::Report header, std::uint64_t total_targets)
    : output_(output),
      report_(std::move(header)),
      progress_(stderr, static_cast<std::size_t>(total_targets), output.progress_enabled()),
      total_(total_targets),
      start_us_(g_get_monotonic_time()) {}

void ScanReport::add(std::uint64_t index, report::Result r, const cv::Mat& frame, const std::string& label, bool listed,
                     bool new_address) {
  if (!frame.empty()) output_.attach(r, frame, label);  // thumbnail, snapshot: off the lock
  std::lock_guard<std::mutex> guard(lock_);
  if (closed_) return;
  ++done_;
  output_.log_result(r, done_, total_);
  progress_.update(r);
  if (!listed) {
    if (new_address) ++unlisted_;
    return;
  }
  output_.writer().add(r);  // jsonl streams here
  // Held until the scan ends (--show runs on the main thread then): only for
  // a viewer, never merely because a thumbnail or snapshot was wanted.
  if (output_.shows() && !frame.empty() && r.status == report::Status::Ok) to_show_.push_back({r, frame, label});
  results_.emplace_back(index, std::move(r));
}

int ScanReport::finish() {
  progress_.finish();
  for (auto& s : to_show_) output_.show(s.frame, s.result, s.label);
  to_show_.clear();
  std::sort(results_.begin(), results_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [index, r] : results_) report_.results.push_back(std::move(r));
  results_.clear();
  report_.elapsed_ms = (g_get_monotonic_time() - start_us_) / 1000.0;
  std::string error;
  if (!output_.finish(report_, error)) {
    std::fprintf(stderr, "focusmeter scan: %s\n", error.c_str());
    return cli::kExitSoftware;
  }
  if (unlisted_ > 0 && !output_.quiet())
    std::fprintf(stderr, "focusmeter scan: %llu unreachable address%s of ranges not listed (--all lists them)\n",
                 static_cast<unsigned long long>(unlisted_), unlisted_ == 1 ? "" : "es");
  return report::exit_status_for(report::summarize(report_.results), output_.format());
}

int ScanReport::finish_partial(int sig) {
  std::lock_guard<std::mutex> guard(lock_);
  closed_ = true;
  progress_.finish();
  std::sort(results_.begin(), results_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [index, r] : results_) report_.results.push_back(std::move(r));
  results_.clear();
  report_.elapsed_ms = (g_get_monotonic_time() - start_us_) / 1000.0;
  report_.partial = true;
  report_.interrupted = "interrupted by " + cli::signal_label(sig) + " after " + std::to_string(done_) + " of " +
                        std::to_string(total_) + " targets";
  std::string error;
  if (!output_.finish(report_, error)) std::fprintf(stderr, "focusmeter scan: %s\n", error.c_str());
  std::fprintf(stderr, "focusmeter scan: %s; partial report written\n", report_.interrupted.c_str());
  return output_.format() == report::ReportFormat::Nagios ? 3 : cli::interrupted_exit_status(sig);
}

}  // namespace focusmeter::scan
