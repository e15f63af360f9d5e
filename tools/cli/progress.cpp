#include "cli/progress.h"

#include <unistd.h>

namespace focusmeter::cli {

ProgressLine::ProgressLine(std::FILE* out, std::size_t total) : ProgressLine(out, total, isatty(fileno(out)) == 1) {}

ProgressLine::ProgressLine(std::FILE* out, std::size_t total, bool enabled)
    : out_(out), enabled_(enabled), total_(total) {}

void ProgressLine::set_total(std::size_t total) {
  total_ = total;
  draw(false);
}

void ProgressLine::update(const Result& r) {
  ++done_;
  if (r.status == Status::Ok) ++found_;
  if (r.verdict && *r.verdict == Verdict::Blurry) ++blurry_;
  draw(done_ == total_);
}

std::string ProgressLine::text() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char buf[128];
  std::snprintf(buf, sizeof buf, "%zu/%zu done, %zu found, %zu BLURRY, %.1f s", done_, total_, found_, blurry_,
                elapsed);
  return buf;
}

void ProgressLine::draw(bool force) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  // \r and "erase line" keep it on one line that is rewritten in place.
  std::fprintf(out_, "\r\033[K%s", text().c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::finish() {
  if (!enabled_ || !drawn_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace focusmeter::cli
