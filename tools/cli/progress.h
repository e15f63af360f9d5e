// A live progress line on stderr while a command runs: done/total, how many
// were found (checked), how many BLURRY, elapsed time, rate and time left,
// e.g. "12/254 done, 3 found, 1 BLURRY, 4.2 s, 2.9/s, ETA 1m23s". Drawn only
// when the stream is a terminal (quiet in pipes, logs and tests), redrawn at
// most ten times a second, and by a timer every half second too, so the
// clock keeps moving while a camera waits out its timeout. finish() erases
// it so the report starts clean.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "report/result.h"

namespace focusmeter::cli {

class ProgressLine {
 public:
  // `enabled` defaults to "`out` is a terminal".
  ProgressLine(std::FILE* out, std::size_t total);
  ProgressLine(std::FILE* out, std::size_t total, bool enabled);
  ~ProgressLine() { finish(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Total may grow (a folder expands as it is walked).
  void set_total(std::size_t total);
  // One result finished. Thread-safe.
  void update(const report::Result& r);
  // Erases the line and stops the timer; later calls do nothing.
  void finish();

  bool enabled() const { return enabled_; }
  // The text of the line (see above); rate and ETA once something is done.
  std::string text() const;

 private:
  void draw(bool force);  // with lock_ held
  std::string text_locked() const;

  std::FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  bool finished_ = false;
  std::size_t total_;
  std::size_t done_ = 0, found_ = 0, blurry_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  mutable std::mutex lock_;
  std::condition_variable wake_;
  std::thread ticker_;
};

// "42s", "3m05s", "1h02m".
std::string short_duration(double seconds);

}  // namespace focusmeter::cli
