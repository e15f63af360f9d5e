// CPU dispatch for the hot loops. One binary runs everywhere: the AVX2
// kernels are compiled with a per-function target attribute and chosen at
// run time when the CPU has AVX2; otherwise portable loops run (which the
// compiler still vectorises for the baseline ISA). No FMA is ever enabled,
// so floating-point results do not depend on the path taken (integer sums
// are exact on both; the one float sum differs by rounding only).
#pragma once

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define FOCUSMETER_X86 1
#else
#define FOCUSMETER_X86 0
#endif

#if FOCUSMETER_X86 && !defined(__clang__)
#define FOCUSMETER_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FOCUSMETER_TARGET_CLONES
#endif

namespace focusmeter {

inline bool cpu_has_avx2() {
#if FOCUSMETER_X86
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
#else
  return false;
#endif
}

// Tests turn the explicit SIMD kernels off to check them against the
// portable loops (src/simd.cpp).
bool simd_enabled();
void set_simd_enabled(bool enabled);

}  // namespace focusmeter
