// The one worker pool of the tools, in its two shapes:
// - fork-join (run_workers, for_each_index, for_each_pulled): a fixed number
//   of threads each pulling work until none is left; every multi-threaded
//   loop of scan, check and train goes through here;
// - JobQueue: long-lived threads for work that arrives over time and whose
//   answer goes back to a GLib main loop (serve's requests); GLib's
//   GThreadPool underneath, owned here so no command holds a raw pool.
//
// Work is pulled, never queued up front: memory holds what the running
// workers hold (scan's cursor expands a /16 one target at a time). An
// exception thrown by a worker ends that worker (it would otherwise
// terminate the process) and is rethrown here once every thread is back.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace focusmeter::cli {

// `threads` exclusive threads, started by the constructor (so push() only
// queues and never fails for want of a thread). Jobs run in push order; the
// destructor waits for the running and the queued ones. A job must not
// throw: an exception is caught, reported on stderr and the job dropped
// (the caller's answer path then never runs, so jobs catch their own).
class JobQueue {
 public:
  // Throws std::runtime_error with GLib's reason when the threads cannot start.
  explicit JobQueue(std::size_t threads);
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  void push(std::function<void()> job);

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
};

// Runs `worker` on `threads` threads (at least one) at the same time and
// returns when every one has returned.
void run_workers(std::size_t threads, const std::function<void()>& worker);

// Calls `work(i)` for every i in [0, count), each exactly once, on at most
// `jobs` threads (never more than count). `work` returning false stops the
// pool: no worker starts another index (those running finish).
void for_each_index(std::size_t count, std::size_t jobs, const std::function<bool(std::size_t)>& work);

// Calls `work(item)` for every item `next` yields until it yields nothing,
// on `jobs` threads. `next` is called under a lock, so it may be a plain
// cursor; `work` runs concurrently and locks what it shares.
template <typename T>
void for_each_pulled(std::size_t jobs, const std::function<std::optional<T>()>& next,
                     const std::function<void(const T&)>& work) {
  std::mutex next_lock;
  run_workers(jobs, [&] {
    for (;;) {
      std::optional<T> item;
      {
        std::lock_guard<std::mutex> lock(next_lock);
        item = next();
      }
      if (!item) return;
      work(*item);
    }
  });
}

}  // namespace focusmeter::cli
