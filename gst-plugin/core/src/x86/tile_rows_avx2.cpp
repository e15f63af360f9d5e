// The AVX2 kernel of one focus-map tile row (kernels.h's tile_row; the
// definition is the loop of row_loops.inc), 16 pixels at a time.
//
// The integer sums (Laplacian sum, square and maximum, luma sum and square,
// and the squared magnitudes' sum: see RootSums) are exact in any order.
// The roots' float sum is not, and follows the definition's order exactly:
// pixel x of the row goes to lane x % 8 of eight float accumulators, in
// increasing x, and the lanes are added into `sums` in lane order 0..7 at
// the end. An 8-lane vector whose lane k holds pixel x0 + k (x0 a multiple
// of 8) is that order; the definition's zero padding of its last 64-pixel
// block adds +0, which changes no lane, and neither do the masked-off lanes
// of the last vector here (vpmaskmovd loads zeros, whose root is +0).

#include <immintrin.h>

#include <climits>
#include <cstdint>

#include "kernels.h"
#include "x86/kernels_avx2.h"
#include "x86/lanes.h"

namespace focusmeter::detail {
namespace {

constexpr int kStep = 16;

// The root lanes, and the magnitudes' sum. The definition sums the
// magnitudes in eight double lanes, but they are integers and every partial
// sum stays far below 2^53, so its doubles hold the exact integer sum at
// every step: one 64-bit integer sum, converted once, is the same bits
// (and cheaper than converting every magnitude).
struct RootSums {
  __m256 root = _mm256_setzero_ps();
  __m256i mag = _mm256_setzero_si256();  // 64-bit lanes
};

// Eight magnitudes, pixels x0 .. x0+7 in lanes 0..7. A magnitude is below
// 2^31, so the signed conversion is exact (as in the definition).
inline void add_roots(__m256i mag, RootSums& r) {
  r.root = _mm256_add_ps(r.root, _mm256_sqrt_ps(_mm256_cvtepi32_ps(mag)));
  const __m256i even = _mm256_and_si256(mag, _mm256_set1_epi64x(0xFFFFFFFF));
  r.mag = _mm256_add_epi64(r.mag, _mm256_add_epi64(even, _mm256_srli_epi64(mag, 32)));
}

// The integer lanes: 32-bit, except the maximum (16-bit). With n <= 2000
// pixels (the definition's bound) each 32-bit lane sums at most 250 pixels'
// values: |lap| <= 1020, lap^2 <= 1020^2, luma^2 <= 255^2, all far from 2^31.
struct IntSums {
  __m256i lap = _mm256_setzero_si256();
  __m256i lap_sq = _mm256_setzero_si256();
  __m256i lap_max = _mm256_set1_epi16(INT16_MIN);
  __m256i luma = _mm256_setzero_si256();
  __m256i luma_sq = _mm256_setzero_si256();
};

// Sixteen pixels' Laplacians and luma (widened to 16 bits), summed; the
// maximum is taken apart (see the tail).
inline void add_sums(__m256i lap, __m256i luma, IntSums& s) {
  const __m256i ones = _mm256_set1_epi16(1);
  s.lap = _mm256_add_epi32(s.lap, _mm256_madd_epi16(lap, ones));
  s.lap_sq = _mm256_add_epi32(s.lap_sq, _mm256_madd_epi16(lap, lap));
  s.luma = _mm256_add_epi32(s.luma, _mm256_madd_epi16(luma, ones));
  s.luma_sq = _mm256_add_epi32(s.luma_sq, _mm256_madd_epi16(luma, luma));
}

inline __m256i load_lap(const std::int16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

inline __m256i load_luma(const std::uint8_t* p) {
  return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

inline __m256i load_mag(const std::uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// The first `count` (0..8) of eight magnitudes at p, zeros after; reads
// nothing past them.
inline __m256i load_mag_first(const std::uint32_t* p, int count) {
  alignas(32) static const std::int32_t kFirst[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kFirst + 8 - count));
  return _mm256_maskload_epi32(reinterpret_cast<const int*>(p), mask);
}

}  // namespace

void tile_row_avx2(const std::int16_t* lap, const std::uint32_t* mag, const std::uint8_t* luma, int n, TileSums& sums) {
  if (n < kStep) return portable_kernels().tile_row(lap, mag, luma, n, sums);
  IntSums is;
  RootSums rs;
  int x = 0;
  for (; x + kStep <= n; x += kStep) {
    const __m256i l = load_lap(lap + x);
    add_sums(l, load_luma(luma + x), is);
    is.lap_max = _mm256_max_epi16(is.lap_max, l);
    add_roots(load_mag(mag + x), rs);
    add_roots(load_mag(mag + x + 8), rs);
  }
  const int rest = n - x;  // 0..15
  if (rest > 0) {
    // The integer sums: the last 16 pixels, the first 16 - rest of which
    // were counted, zeroed. The maximum takes all 16: they are this row's
    // pixels, and counting one twice cannot change a maximum.
    alignas(32) static const std::int16_t kLast[32] = {0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
                                                       -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    const __m256i keep = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLast + rest));
    const __m256i l = load_lap(lap + n - kStep);
    add_sums(_mm256_and_si256(l, keep), _mm256_and_si256(load_luma(luma + n - kStep), keep), is);
    is.lap_max = _mm256_max_epi16(is.lap_max, l);
    // The float sums, in order: x stays a multiple of 8.
    add_roots(load_mag_first(mag + x, rest < 8 ? rest : 8), rs);
    if (rest > 8) add_roots(load_mag_first(mag + x + 8, rest - 8), rs);
  }

  alignas(32) float root[8];
  _mm256_store_ps(root, rs.root);
  for (int k = 0; k < 8; ++k) sums.mag_root += static_cast<double>(root[k]);
  alignas(32) std::int64_t mags[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(mags), rs.mag);
  sums.mag_sum += static_cast<double>((mags[0] + mags[1]) + (mags[2] + mags[3]));
  alignas(32) std::int16_t maxes[16];
  _mm256_store_si256(reinterpret_cast<__m256i*>(maxes), is.lap_max);
  std::int32_t lm = INT16_MIN;
  for (std::int16_t v : maxes) lm = v > lm ? v : lm;
  sums.lap_sum += x86::hsum_epi32(is.lap);
  sums.lap_sq += x86::hsum_epi32(is.lap_sq);
  sums.lap_max = lm > sums.lap_max ? lm : sums.lap_max;
  sums.luma_sum += x86::hsum_epi32(is.luma);
  sums.luma_sq += x86::hsum_epi32(is.luma_sq);
}

}  // namespace focusmeter::detail
