#include "cli/worker_pool.h"

#include <glib.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
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

struct JobQueue::Pool {
  GThreadPool* threads = nullptr;

  static void run(gpointer data, gpointer) {
    std::unique_ptr<std::function<void()>> job(static_cast<std::function<void()>*>(data));
    try {
      (*job)();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "focusmeter: internal error in a worker: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "focusmeter: internal error in a worker\n");
    }
  }
};

JobQueue::JobQueue(std::size_t threads) : pool_(std::make_unique<Pool>()) {
  g_autoptr(GError) err = nullptr;
  const gint n = static_cast<gint>(std::clamp<std::size_t>(threads, 1, 1024));
  pool_->threads = g_thread_pool_new(Pool::run, nullptr, n, TRUE, &err);
  if (!pool_->threads)
    throw std::runtime_error(std::string("cannot start the worker threads: ") + (err ? err->message : "?"));
}

JobQueue::~JobQueue() {
  // immediate = FALSE: queued jobs still run; wait = TRUE: return when done.
  g_thread_pool_free(pool_->threads, FALSE, TRUE);
}

void JobQueue::push(std::function<void()> job) {
  auto owned = std::make_unique<std::function<void()>>(std::move(job));
  g_thread_pool_push(pool_->threads, owned.release(), nullptr);  // Pool::run takes it back
}

}  // namespace focusmeter::cli
