// Runs one job per target on the tools' worker pool (cli/worker_pool.h),
// pulling targets lazily from the cursor: memory holds `jobs` targets in flight, never the
// whole expansion. `work` runs on the workers, concurrently; it does its
// own locking for anything shared. Returns when every target is done.
#pragma once

#include <functional>

#include "scan/targets.h"

namespace focusmeter::scan {

void run_pool(TargetCursor& cursor, int jobs, const std::function<void(const Target&)>& work);

}  // namespace focusmeter::scan
