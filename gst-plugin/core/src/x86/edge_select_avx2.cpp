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

namespace {

// Lanes of row[x ..) above `bar` (bit k for row[x + k]), sixteen or eight.
inline unsigned above16(const std::uint32_t* p, __m256i bar) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 8));
  return static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(a, bar)))) |
         static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(b, bar)))) << 8;
}
inline unsigned above8(const std::uint32_t* p, __m256i bar) {
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(a, bar))));
}

// The values of row[x ..] flagged in `bits` go to `top`, each compared with
// the bar the previous ones may have raised.
inline void take(const std::uint32_t* row, int x, unsigned bits, TopValues& top) {
  while (bits != 0) {
    const std::uint32_t value = row[x + __builtin_ctz(bits)];
    bits &= bits - 1;
    if (value > top.least) top_values_add(top, value);
  }
}

}  // namespace

void top_row_avx2(const std::uint32_t* row, int n, TopValues& top) {
  // Every other value: the even bits of each mask (steps start at even
  // offsets). Magnitudes are below 2^31, so they compare as signed values.
  int x = 0;
  __m256i bar = _mm256_set1_epi32(static_cast<std::int32_t>(top.least));
  for (; x + 16 <= n; x += 16) {
    const unsigned bits = above16(row + x, bar) & 0x5555u;
    if (bits == 0) continue;
    take(row, x, bits, top);
    bar = _mm256_set1_epi32(static_cast<std::int32_t>(top.least));
  }
  if (x + 8 <= n) {
    take(row, x, above8(row + x, bar) & 0x55u, top);
    x += 8;
  }
  top_row_portable(row, x, n, top);
}

void sums_above_avx2(const std::int16_t* lap, const std::uint32_t* mag, std::size_t n, std::uint32_t cut,
                     std::int64_t& lap2, std::int64_t& mag2, std::int64_t& count) {
  // m >= cut as m > cut - 1 (cut >= 1, magnitudes below 2^31: signed compare).
  const __m256i bar = _mm256_set1_epi32(static_cast<std::int32_t>(cut) - 1);
  std::int64_t l2 = 0, m2 = 0, c = 0;
  std::size_t i = 0;
  // Sixteen magnitudes per step: one mask test for both halves.
  auto add = [&](std::size_t at, unsigned bits) {
    while (bits != 0) {
      const std::size_t k = at + static_cast<std::size_t>(__builtin_ctz(bits));
      bits &= bits - 1;
      l2 += static_cast<std::int64_t>(lap[k]) * lap[k];
      m2 += mag[k];
      ++c;
    }
  };
  for (; i + 16 <= n; i += 16) add(i, above16(mag + i, bar));
  if (i + 8 <= n) {
    add(i, above8(mag + i, bar));
    i += 8;
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

void bin_above_avx2(const std::int16_t* lap, const std::uint32_t* mag, int n, std::uint32_t bar, EdgeBin* bins) {
  const __m256i less = _mm256_set1_epi32(static_cast<std::int32_t>(bar) - 1);  // bar >= 1
  auto add = [&](int at, unsigned bits) {
    while (bits != 0) {
      const int k = at + __builtin_ctz(bits);
      bits &= bits - 1;
      EdgeBin& b = bins[mag[k] >> 10];
      b.lap2 += static_cast<std::int64_t>(lap[k]) * lap[k];
      b.mag += mag[k];
      ++b.count;
    }
  };
  int x = 0;
  for (; x + 16 <= n; x += 16) add(x, above16(mag + x, less));
  if (x + 8 <= n) {
    add(x, above8(mag + x, less));
    x += 8;
  }
  bin_above_portable(lap, mag, x, n, bar, bins);
}

}  // namespace focusmeter::detail
