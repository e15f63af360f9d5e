// The one worker pool of the tools: a fixed number of threads each pulling
// work until none is left. Every multi-threaded loop of scan, check and
// train goes through here; serve pushes requests to a GThreadPool because
// its answers return to the GLib main loop.
//
// Work is pulled, never queued up front: memory holds what the running
// workers hold (scan's cursor expands a /16 one target at a time). An
// exception thrown by a worker ends that worker (it would otherwise
// terminate the process) and is rethrown here once every thread is back.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>

namespace focusmeter::cli {

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
