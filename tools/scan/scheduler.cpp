#include "scan/scheduler.h"

#include <algorithm>

#include "cli/worker_pool.h"

namespace focusmeter::scan {

void run_pool(TargetCursor& cursor, int jobs, const std::function<void(const Target&)>& work) {
  const std::uint64_t total = cursor.total();
  const auto n =
      static_cast<std::size_t>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(std::max(1, jobs), total)));
  cli::for_each_pulled<Target>(
      n, [&] { return cursor.next(); }, work);
}

}  // namespace focusmeter::scan
