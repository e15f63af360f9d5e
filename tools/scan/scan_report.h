// The scan's side of reporting: gathers results from the worker threads
// into the shared writers (cli/report_options.h), keeps the progress line,
// and leaves out the unreachable addresses of ranges unless asked (a /16
// would otherwise list 65,000 dead addresses and hold them all in memory).
#pragma once

#include <cstdint>
#include <mutex>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/progress.h"
#include "cli/report_options.h"
#include "report/report.h"
#include "report/result.h"

namespace focusmeter::scan {

class ScanReport {
 public:
  // `output` must be open; it outlives the report.
  ScanReport(cli::ReportOutput& output, report::Report header, std::uint64_t total_targets);

  // Whether scan_target should keep each camera's analysed frame.
  bool wants_frames() const { return output_.wants_frames(); }
  // One finished target. `label` names its snapshot file; `listed` = false
  // counts it without listing it; `new_address` = false for an address's
  // channels (--channels) after the first this instance checks (with
  // --shard, the first in its shard), so that an unreachable NVR counts
  // once. Called from any worker thread.
  void add(std::uint64_t index, report::Result result, const cv::Mat& frame, const std::string& label, bool listed,
           bool new_address = true);
  // Writes the report (results in target order); returns the exit status.
  int finish();
  // After SIGINT/SIGTERM: writes what is done so far, marked partial, while
  // workers may still be adding (they wait on the lock, then are ignored).
  // Returns the exit status, 128 + `sig`.
  int finish_partial(int sig);
  // Frames held for --show (for tests: none without a viewer).
  std::size_t frames_held() {
    std::lock_guard<std::mutex> guard(lock_);
    return to_show_.size();
  }

 private:
  cli::ReportOutput& output_;
  report::Report report_;
  std::mutex lock_;
  cli::ProgressLine progress_;
  std::vector<std::pair<std::uint64_t, report::Result>> results_;
  struct Shown {
    report::Result result;
    cv::Mat frame;
    std::string label;
  };
  std::vector<Shown> to_show_;  // --show runs on the main thread, after the scan
  std::uint64_t unlisted_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t done_ = 0;
  bool closed_ = false;  // finish_partial() ran: later add() calls are dropped
  std::int64_t start_us_ = 0;
};

}  // namespace focusmeter::scan
