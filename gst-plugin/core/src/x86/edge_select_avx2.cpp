// edge_sharpness's selection with AVX2 (kernels.h: top_row, sums_above).
// Both look for the few pixels with the strongest gradient (about 1 %):
// eight magnitudes are compared at once and only the lanes above the bar
// are taken one by one, so most of a row costs a compare and a mask test.
// Integer sums and the same heap: the same results as the portable loops.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "x86/kernels_avx2.h"

namespace focusmeter::detail {

void top_row_avx2(const std::uint32_t* row, int n, TopValues& top) {
  // Every other value: lanes 0, 2, 4 and 6 of each group of eight (groups
  // start at row[0], so at even offsets).
  const __m256i even = _mm256_setr_epi32(-1, 0, -1, 0, -1, 0, -1, 0);
  int x = 0;
  // Magnitudes are below 2^31, so they compare as signed 32-bit values.
  __m256i bar = _mm256_set1_epi32(static_cast<std::int32_t>(top.least));
  for (; x + 8 <= n; x += 8) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + x));
    const __m256i above = _mm256_and_si256(_mm256_cmpgt_epi32(v, bar), even);
    unsigned bits = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(above)));
    if (bits == 0) continue;
    while (bits != 0) {
      const std::uint32_t value = row[x + __builtin_ctz(bits)];
      bits &= bits - 1;
      if (value > top.least) top_values_add(top, value);  // the bar may have risen
    }
    bar = _mm256_set1_epi32(static_cast<std::int32_t>(top.least));
  }
  top_row_portable(row, x, n, top);
}

void sums_above_avx2(const std::int16_t* lap, const std::uint32_t* mag, std::size_t n, std::uint32_t cut,
                     std::int64_t& lap2, std::int64_t& mag2, std::int64_t& count) {
  // m >= cut as m > cut - 1 (cut >= 1, magnitudes below 2^31: signed compare).
  const __m256i bar = _mm256_set1_epi32(static_cast<std::int32_t>(cut) - 1);
  std::int64_t l2 = 0, m2 = 0, c = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mag + i));
    unsigned bits = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(v, bar))));
    while (bits != 0) {
      const std::size_t k = i + static_cast<std::size_t>(__builtin_ctz(bits));
      bits &= bits - 1;
      l2 += static_cast<std::int64_t>(lap[k]) * lap[k];
      m2 += mag[k];
      ++c;
    }
  }
  for (; i < n; ++i) {
    if (mag[i] < cut) continue;
    l2 += static_cast<std::int64_t>(lap[i]) * lap[i];
    m2 += mag[i];
    ++c;
  }
  lap2 += l2;
  mag2 += m2;
  count += c;
}

}  // namespace focusmeter::detail
