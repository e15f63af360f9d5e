// A live progress line on stderr while a command runs: done/total, how many
// were found (checked), how many BLURRY, elapsed time. Drawn only when the
// stream is a terminal (quiet in pipes, logs and tests), redrawn at most ten
// times a second, and erased by finish() so the report starts clean.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

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
  // One result finished. Call from one thread.
  void update(const Result& r);
  void finish();

  bool enabled() const { return enabled_; }
  // The text of the line, e.g. "12/254 done, 3 found, 1 BLURRY, 4.2 s".
  std::string text() const;

 private:
  void draw(bool force);

  std::FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  std::size_t total_;
  std::size_t done_ = 0, found_ = 0, blurry_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace focusmeter::cli
