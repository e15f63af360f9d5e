// The Laplacian's sum and sum of squares over a row with AVX2 (kernels.h's
// lap_sums; the definition is lap_sums_portable in tile_features.cpp):
// sixteen values per step, pairs multiplied and added in 32-bit lanes
// (vpmaddwd). Integer sums: exact in any order, the same as the definition.
//
// No lane overflows: |lap| <= 1020, so a step adds at most 2 * 1020 to a
// lane's sum and 2 * 1020^2 (about 2.1e6) to its square sum; a row of at
// most 8192 values is 512 steps, at most 2^31 / 2.1e6 = 1023 allowed.
#include <immintrin.h>

#include <cstdint>

#include "kernels.h"
#include "x86/kernels_avx2.h"
#include "x86/lanes.h"

namespace focusmeter::detail {

void lap_sums_avx2(const std::int16_t* lap, int n, std::int64_t& sum, std::int64_t& sum_sq) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i s = _mm256_setzero_si256(), q = _mm256_setzero_si256();
  int x = 0;
  for (; x + 16 <= n; x += 16) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lap + x));
    s = _mm256_add_epi32(s, _mm256_madd_epi16(v, ones));
    q = _mm256_add_epi32(q, _mm256_madd_epi16(v, v));
  }
  sum += x86::hsum_epi32(s);
  sum_sq += x86::hsum_epi32(q);
  lap_sums_portable(lap, x, n, sum, sum_sq);
}

}  // namespace focusmeter::detail
