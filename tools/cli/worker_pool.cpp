#include "cli/worker_pool.h"

#include <glib.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <string>

namespace focusmeter::cli {

namespace {

struct Run {
  const std::function<void()>* worker = nullptr;
  std::mutex lock;
  std::exception_ptr first_error;  // under lock
};

// A C++ exception must not unwind through GLib's thread code: keep the first
// one for run_workers to rethrow.
void run_one(gpointer /*token*/, gpointer user_data) {
  Run& run = *static_cast<Run*>(user_data);
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
  GError* error = nullptr;
  // Exclusive: the pool's own threads, all started now; one token each.
  GThreadPool* pool = g_thread_pool_new(run_one, &run, static_cast<gint>(threads), TRUE, &error);
  if (!pool) {
    const std::string why = error ? error->message : "unknown error";
    g_clear_error(&error);
    throw std::runtime_error("cannot start " + std::to_string(threads) + " worker threads: " + why);
  }
  static int token;  // g_thread_pool_push refuses NULL data
  for (std::size_t i = 0; i < threads; ++i) g_thread_pool_push(pool, &token, nullptr);
  g_thread_pool_free(pool, FALSE, TRUE);  // waits for every token to run
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
