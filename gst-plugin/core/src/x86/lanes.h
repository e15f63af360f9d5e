// Small helpers on AVX2 lanes shared by the files of src/x86/. `static`:
// each file gets its own copy with internal linkage, as kernels.h's rules
// for ISA code ask (no inline function with external linkage).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace focusmeter::detail::x86 {

// The sum of the eight 32-bit lanes, in 64 bits.
static inline std::int64_t hsum_epi32(__m256i v) {
  alignas(32) std::int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
  std::int64_t sum = 0;
  for (std::int32_t x : lanes) sum += x;
  return sum;
}

}  // namespace focusmeter::detail::x86
