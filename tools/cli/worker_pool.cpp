#include "cli/worker_pool.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace focusmeter::cli {

namespace {

struct Run {
  const std::function<void()>* worker = nullptr;
  std::mutex lock;
  std::exception_ptr first_error;  // under lock
};

// An exception leaving a thread would terminate the process: keep the first
// one for run_workers to rethrow.
void run_one(Run& run) {
  try {
    (*run.worker)();
  } catch (...) {
    std::lock_guard<std::mutex> guard(run.lock);
    if (!run.first_error) run.first_error = std::current_exception();
  }
}

}  // namespace

void run_workers(std::size_t threads, const std::function<void()>& worker) {
  threads = std::max<std::size_t>(threads, 1);
  Run run;
  run.worker = &worker;
  std::vector<std::thread> pool;
  try {
    for (std::size_t i = 0; i < threads; ++i) pool.emplace_back([&run] { run_one(run); });
  } catch (...) {  // no thread for this one: wait for those started, then report it
    for (auto& t : pool) t.join();
    throw;
  }
  for (auto& t : pool) t.join();
  if (run.first_error) std::rethrow_exception(run.first_error);
}

void for_each_index(std::size_t count, std::size_t jobs, const std::function<bool(std::size_t)>& work) {
  if (count == 0) return;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  run_workers(std::min(std::max<std::size_t>(jobs, 1), count), [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      const std::size_t i = next++;
      if (i >= count) return;
      if (!work(i)) stop = true;
    }
  });
}

}  // namespace focusmeter::cli
