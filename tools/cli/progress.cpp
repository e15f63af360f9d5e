#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace focusmeter::cli {

ProgressLine::ProgressLine(std::FILE* out, std::size_t total) : ProgressLine(out, total, isatty(fileno(out)) == 1) {}

ProgressLine::ProgressLine(std::FILE* out, std::size_t total, bool enabled)
    : out_(out), enabled_(enabled), total_(total) {
  if (!enabled_) return;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> guard(lock_);
    while (!finished_) {
      wake_.wait_for(guard, std::chrono::milliseconds(500));
      if (!finished_) draw(true);
    }
  });
}

void ProgressLine::set_total(std::size_t total) {
  std::lock_guard<std::mutex> guard(lock_);
  total_ = total;
  draw(false);
}

void ProgressLine::update(const report::Result& r) {
  std::lock_guard<std::mutex> guard(lock_);
  ++done_;
  if (r.status == report::Status::Ok) ++found_;
  if (r.verdict && *r.verdict == Verdict::Blurry) ++blurry_;
  draw(done_ == total_);
}

std::string short_duration(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  return buf;
}

std::string ProgressLine::text() const {
  std::lock_guard<std::mutex> guard(lock_);
  return text_locked();
}

std::string ProgressLine::text_locked() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char buf[192];
  int n = std::snprintf(buf, sizeof buf, "%zu/%zu done, %zu found, %zu BLURRY, %.1f s", done_, total_, found_, blurry_,
                        elapsed);
  if (done_ > 0 && elapsed > 0 && n > 0 && static_cast<std::size_t>(n) < sizeof buf) {
    const double rate = done_ / elapsed;
    const std::string eta = total_ > done_ ? ", ETA " + short_duration((total_ - done_) / rate) : "";
    std::snprintf(buf + n, sizeof buf - n, ", %.1f/s%s", rate, eta.c_str());
  }
  return buf;
}

void ProgressLine::draw(bool force) {
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  // \r and "erase line" keep it on one line that is rewritten in place.
  std::fprintf(out_, "\r\033[K%s", text_locked().c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::finish() {
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (finished_) return;
    finished_ = true;
    if (enabled_ && drawn_) {
      std::fprintf(out_, "\r\033[K");
      std::fflush(out_);
      drawn_ = false;
    }
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace focusmeter::cli
