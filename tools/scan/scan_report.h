// The scan's side of reporting: collects results from the worker threads,
// saves snapshots, keeps the live progress line, and hands the finished
// report to the shared writers (common/report.h). Thread-safe add().
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace focusmeter::scan {

struct ReportOptions {
  std::string format;         // "" = chosen from --output and the terminal
  std::string output;         // "" = stdout
  std::string snapshots_dir;  // "" = none
  bool show = false;
  std::string model_path;  // "" = no model
  std::optional<double> threshold;
};

class ScanReport {
 public:
  explicit ScanReport(ReportOptions options);
  ~ScanReport();

  // Validates the format, opens the output, creates the snapshot directory.
  bool open(std::string& error);
  // Whether scan_target should keep each camera's analysed frame.
  bool wants_frames() const;
  void begin(std::uint64_t total_targets);
  // One finished target. `listed` = false counts it without listing it
  // (an unreachable address inside a range). Called from any thread.
  void add(std::uint64_t index, cli::Result result, const cv::Mat& frame, bool listed);
  // Writes the report; returns the process exit status.
  int finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace focusmeter::scan
