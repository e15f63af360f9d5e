// The tools' one worker pool (tools/cli/worker_pool.h): every index
// exactly once whatever the jobs, a stop that stops, a worker's exception
// back on the caller's thread, and a pulled source read one item at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "cli/worker_pool.h"

using namespace focusmeter::cli;

TEST(WorkerPool, EveryIndexExactlyOnce) {
  for (std::size_t jobs : {0, 1, 3, 64}) {
    std::vector<std::atomic<int>> seen(100);
    for_each_index(seen.size(), jobs, [&](std::size_t i) {
      ++seen[i];
      return true;
    });
    for (const auto& n : seen) ASSERT_EQ(n.load(), 1) << "jobs " << jobs;
  }
  for_each_index(0, 4, [](std::size_t) -> bool { throw std::logic_error("no work, no call"); });
}

TEST(WorkerPool, FalseStopsNewWork) {
  std::atomic<int> calls{0};
  for_each_index(10000, 1, [&](std::size_t i) {
    ++calls;
    return i < 9;
  });
  EXPECT_EQ(calls.load(), 10);  // one thread: nothing after the index that said stop
}

TEST(WorkerPool, WorkersRunConcurrently) {
  // Two workers that each wait for the other: only returns if both run at once.
  std::mutex m;
  std::condition_variable cv;
  int arrived = 0;
  run_workers(2, [&] {
    std::unique_lock<std::mutex> lock(m);
    ++arrived;
    cv.notify_all();
    cv.wait(lock, [&] { return arrived == 2; });
  });
  EXPECT_EQ(arrived, 2);
}

TEST(WorkerPool, ExceptionReachesTheCaller) {
  EXPECT_THROW(for_each_index(50, 4,
                              [](std::size_t i) -> bool {
                                if (i == 17) throw std::runtime_error("bad input");
                                return true;
                              }),
               std::runtime_error);
}

TEST(WorkerPool, PulledSourceIsReadLazily) {
  int produced = 0, max_ahead = 0;
  std::atomic<int> consumed{0};
  std::mutex m;
  for_each_pulled<int>(
      3,
      [&]() -> std::optional<int> {
        if (produced == 1000) return std::nullopt;
        max_ahead = std::max(max_ahead, produced - consumed.load());
        return produced++;
      },
      [&](const int&) { ++consumed; });
  EXPECT_EQ(consumed.load(), 1000);
  EXPECT_LE(max_ahead, 3);  // never more items out than workers
}
