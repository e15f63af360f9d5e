#include "simd.h"

#include <atomic>

namespace focusmeter {
namespace {
std::atomic<bool> g_simd{true};
}

bool simd_enabled() { return g_simd.load(std::memory_order_relaxed); }
void set_simd_enabled(bool enabled) { g_simd.store(enabled, std::memory_order_relaxed); }

}  // namespace focusmeter
