// The service's counters and their Prometheus text exposition (GET /metrics).
//
// Updated and rendered only on the main loop's thread (the HTTP glue adds
// a worker's Tally when its answer comes back), so no locking is needed.
// Paths are a fixed set (anything else counts as "other"), so a client
// probing random URLs cannot grow the label space.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "serve/api.h"

namespace focusmeter::serve {

class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram buckets; +Inf is implied.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // One answered request: its path (mapped to a known one or "other"), status
  // and wall time from the first header byte to the last response byte.
  void record_request(const std::string& path, unsigned status, double seconds);
  void record_tally(const Tally& t);
  void set_queue(unsigned queued, unsigned running) {
    queued_ = queued;
    running_ = running;
  }

  std::string render() const;

  // For tests and the shutdown log.
  std::uint64_t requests(const std::string& path, unsigned status) const;
  std::uint64_t total_requests() const { return count_; }

  // The label a path is counted under.
  static std::string path_label(const std::string& path);

 private:
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::array<std::uint64_t, kBuckets.size() + 1> buckets_{};  // last = +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
  Tally totals_;
  unsigned queued_ = 0;
  unsigned running_ = 0;
};

}  // namespace focusmeter::serve
