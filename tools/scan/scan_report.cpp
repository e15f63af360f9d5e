#include "scan/scan_report.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <opencv2/imgcodecs.hpp>

#include "common/exit_codes.h"
#include "nlohmann/json.hpp"

namespace focusmeter::scan {

namespace {
const char* status_text(cli::Status s) {
  static const char* const names[] = {"ok",      "unreachable",  "auth_failed", "not_found",
                                      "timeout", "stream_error", "error"};
  return names[static_cast<int>(s)];
}
}  // namespace

// Interim writer (JSON only) until the shared report writers land.
struct ScanReport::Impl {
  ReportOptions options;
  std::mutex lock;
  std::vector<std::pair<std::uint64_t, cli::Result>> results;
  std::uint64_t total = 0, done = 0, unlisted_unreachable = 0;
  std::ofstream file;
  std::string started;
  gint64 start_us = 0;
};

ScanReport::ScanReport(ReportOptions options) : impl_(std::make_unique<Impl>()) { impl_->options = std::move(options); }
ScanReport::~ScanReport() = default;

bool ScanReport::open(std::string& error) {
  auto& o = impl_->options;
  if (!o.format.empty() && o.format != "json") {
    error = "--format " + o.format + " is not available yet";
    return false;
  }
  if (!o.output.empty()) {
    impl_->file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!impl_->file) {
      error = "cannot write " + o.output;
      return false;
    }
  }
  if (!o.snapshots_dir.empty() && g_mkdir_with_parents(o.snapshots_dir.c_str(), 0755) != 0) {
    error = "cannot create snapshot directory " + o.snapshots_dir;
    return false;
  }
  return true;
}

bool ScanReport::wants_frames() const { return !impl_->options.snapshots_dir.empty() || impl_->options.show; }

void ScanReport::begin(std::uint64_t total) {
  impl_->total = total;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autofree gchar* iso = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
  impl_->started = iso;
  impl_->start_us = g_get_monotonic_time();
}

void ScanReport::add(std::uint64_t index, cli::Result r, const cv::Mat& frame, bool listed) {
  if (!frame.empty() && !impl_->options.snapshots_dir.empty()) {
    std::string name = r.host;
    std::replace(name.begin(), name.end(), ':', '_');
    const std::string path = impl_->options.snapshots_dir + "/" + name + ".jpg";
    if (cv::imwrite(path, frame)) r.snapshot = path;
  }
  std::lock_guard<std::mutex> guard(impl_->lock);
  ++impl_->done;
  if (!listed) {
    ++impl_->unlisted_unreachable;
    return;
  }
  impl_->results.emplace_back(index, std::move(r));
}

int ScanReport::finish() {
  auto& results = impl_->results;
  std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  nlohmann::json doc;
  doc["started"] = impl_->started;
  doc["model"] = impl_->options.model_path.empty() ? nlohmann::json() : nlohmann::json(impl_->options.model_path);
  doc["results"] = nlohmann::json::array();
  std::size_t counts[7] = {};
  std::size_t blurry = 0, clear = 0;
  for (const auto& [i, r] : results) {
    nlohmann::json j{{"target", r.target},
                     {"host", r.host},
                     {"url", r.url},
                     {"brand", r.brand},
                     {"status", status_text(r.status)},
                     {"reason", r.reason},
                     {"width", r.width},
                     {"height", r.height},
                     {"elapsed_ms", r.elapsed_ms}};
    if (r.verdict) j["verdict"] = verdict_name(*r.verdict);
    if (r.score) j["score"] = *r.score;
    if (!r.snapshot.empty()) j["snapshot"] = r.snapshot;
    if (r.status == cli::Status::Ok) {
      nlohmann::json f;
      for (std::size_t k = 0; k < kFeatureCount; ++k)
        if (r.features.has(static_cast<Feature>(k)))
          f[std::string(feature_name(static_cast<Feature>(k)))] = r.features[static_cast<Feature>(k)];
      j["features"] = f;
    }
    doc["results"].push_back(j);
    ++counts[static_cast<int>(r.status)];
    if (r.verdict == Verdict::Blurry) ++blurry;
    if (r.verdict == Verdict::Clear) ++clear;
  }
  doc["summary"] = {{"targets", results.size()}, {"ok", counts[0]},          {"clear", clear},
                    {"blurry", blurry},          {"unreachable", counts[1]}, {"auth_failed", counts[2]},
                    {"not_found", counts[3]},    {"timeout", counts[4]},     {"stream_error", counts[5]}};
  std::ostream& out = impl_->file.is_open() ? static_cast<std::ostream&>(impl_->file) : std::cout;
  out << doc.dump(2) << "\n";
  if (blurry) return cli::kExitBlurry;
  if (results.size() > counts[0]) return cli::kExitUnchecked;
  return cli::kExitAllClear;
}

}  // namespace focusmeter::scan
