// Which kernel table runs (kernels.h): chosen once per process, on first use.
#include "kernels.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace focusmeter::detail {
namespace {

const Kernels& best_for_this_cpu() {
#if defined(FOCUSMETER_HAVE_AVX2)
  // libgcc's check includes the OS's support for the YMM state (XGETBV).
  if (__builtin_cpu_supports("avx2")) return avx2_kernels();
#endif
  return portable_kernels();
}

// FOCUSMETER_KERNELS=portable runs a whole process (the element, the CLI, a
// test suite) on the portable kernels; anything else, or unset, the best.
const Kernels& chosen() {
  static const Kernels& k = []() -> const Kernels& {
    const char* env = std::getenv("FOCUSMETER_KERNELS");
    if (env && std::strcmp(env, "portable") == 0) return portable_kernels();
    return best_for_this_cpu();
  }();
  return k;
}

std::atomic<bool> g_force_portable{false};

}  // namespace

const Kernels& kernels() { return g_force_portable.load(std::memory_order_relaxed) ? portable_kernels() : chosen(); }

void force_portable_kernels(bool portable) { g_force_portable.store(portable, std::memory_order_relaxed); }

std::vector<const Kernels*> available_kernels() {
  std::vector<const Kernels*> out{&portable_kernels()};
  if (&best_for_this_cpu() != &portable_kernels()) out.push_back(&best_for_this_cpu());
  return out;
}

}  // namespace focusmeter::detail
