#include "scan/scheduler.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace focusmeter::scan {

void run_pool(TargetCursor& cursor, int jobs, const std::function<void(const Target&)>& work) {
  std::mutex cursor_lock;
  auto worker = [&] {
    for (;;) {
      std::optional<Target> t;
      {
        std::lock_guard<std::mutex> lock(cursor_lock);
        t = cursor.next();
      }
      if (!t) return;
      work(*t);
    }
  };
  const std::uint64_t total = cursor.total();
  const int n = static_cast<int>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(std::max(1, jobs), total)));
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

}  // namespace focusmeter::scan
