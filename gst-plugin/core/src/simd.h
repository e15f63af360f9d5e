// Function multi-versioning for the hot loops: GCC builds an AVX2 copy and a
// baseline copy of each marked function and picks one at load time, so one
// binary runs everywhere and uses AVX2 where the CPU has it. No FMA is
// enabled, so floating-point results are the same in both copies.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && (defined(__x86_64__) || defined(__i386__))
#define FOCUSMETER_TARGET_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FOCUSMETER_TARGET_CLONES
#endif
