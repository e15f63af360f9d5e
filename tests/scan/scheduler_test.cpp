// The worker pool: every target exactly once, however many jobs.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "scan/scheduler.h"
#include "scan/targets.h"

using focusmeter::scan::parse_target;
using focusmeter::scan::Target;
using focusmeter::scan::TargetCursor;
using focusmeter::scan::TargetSpec;

TEST(Scheduler, EveryTargetExactlyOnceWhateverTheJobs) {
  const std::vector<TargetSpec> specs{parse_target("10.0.0.0/24"), parse_target("cam.example")};
  for (int jobs : {1, 3, 64, 1000}) {
    TargetCursor cursor(specs);
    std::mutex lock;
    std::vector<int> seen(255, 0);
    focusmeter::scan::run_pool(cursor, jobs, [&](const Target& t) {
      std::lock_guard<std::mutex> guard(lock);
      ++seen.at(t.index);
    });
    for (int n : seen) ASSERT_EQ(n, 1) << "jobs " << jobs;
  }
}
