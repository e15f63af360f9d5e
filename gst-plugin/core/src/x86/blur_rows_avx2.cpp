// The AVX2 kernel of blur_effect's re-blur sums (kernels.h's blur_step; the
// definition is the loop of row_loops.inc), 32 positions at a time. Integer
// sums in lanes that cannot overflow, so the totals are the portable ones
// exactly, whatever the order.
//
// Per position, a = |cur - prev| and b = |ahead - behind| are bytes;
// sum D = 11 sum a comes from vpsadbw, and max(11 a - b, 0) from vpmaddubsw
// of interleaved (a, b) bytes times (11, -1): 11 a - b lies in
// [-255, 2805], a 16-bit lane without saturation.

#include <immintrin.h>

#include <cstdint>

#include "kernels.h"
#include "x86/kernels_avx2.h"

namespace focusmeter::detail {
namespace {

constexpr int kStep = 32;

// 32-bit lanes of V's sum gain at most 4 * 2805 per step (two 16-bit sums of
// two positions each, vpmaddwd then adding pairs), so they are widened to
// 64 bits every kFlush steps: 4096 * 11220 < 2^31.
constexpr int kFlush = 4096;

inline __m256i load32(const std::uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

inline __m256i absdiff_epu8(__m256i a, __m256i b) {
  return _mm256_or_si256(_mm256_subs_epu8(a, b), _mm256_subs_epu8(b, a));
}

struct Sums {
  __m256i d = _mm256_setzero_si256();  // sum of a, 64-bit lanes
  __m256i v = _mm256_setzero_si256();  // sum of max(11 a - b, 0), 32-bit lanes
};

// Positions i .. i+31; `keep` zeroes a (and so both terms) in the lanes
// already counted.
inline void step32(const std::uint8_t* cur, const std::uint8_t* prev, const std::uint8_t* ahead,
                   const std::uint8_t* behind, int i, __m256i keep, Sums& s) {
  const __m256i a = _mm256_and_si256(absdiff_epu8(load32(cur + i), load32(prev + i)), keep);
  const __m256i b = absdiff_epu8(load32(ahead + i), load32(behind + i));
  s.d = _mm256_add_epi64(s.d, _mm256_sad_epu8(a, _mm256_setzero_si256()));
  const __m256i weights = _mm256_set1_epi16(static_cast<std::int16_t>(0xFF0B));  // bytes 11, -1
  const __m256i zero = _mm256_setzero_si256();
  const __m256i vlo = _mm256_max_epi16(_mm256_maddubs_epi16(_mm256_unpacklo_epi8(a, b), weights), zero);
  const __m256i vhi = _mm256_max_epi16(_mm256_maddubs_epi16(_mm256_unpackhi_epi8(a, b), weights), zero);
  s.v = _mm256_add_epi32(s.v, _mm256_madd_epi16(_mm256_add_epi16(vlo, vhi), _mm256_set1_epi16(1)));
}

inline std::int64_t hsum_epi64(__m256i v) {
  const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}

inline __m256i widen_epi32(__m256i v) {
  return _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(v)),
                          _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1)));
}

}  // namespace

void blur_step_avx2(const std::uint8_t* cur, const std::uint8_t* prev, const std::uint8_t* ahead,
                    const std::uint8_t* behind, int n, std::int64_t& d_sum, std::int64_t& v_sum) {
  if (n < kStep) return portable_kernels().blur_step(cur, prev, ahead, behind, n, d_sum, v_sum);
  const __m256i all = _mm256_set1_epi8(-1);
  __m256i v_total = _mm256_setzero_si256();
  Sums s;
  int i = 0, since_flush = 0;
  for (; i + kStep <= n; i += kStep) {
    step32(cur, prev, ahead, behind, i, all, s);
    if (++since_flush == kFlush) {
      v_total = _mm256_add_epi64(v_total, widen_epi32(s.v));
      s.v = _mm256_setzero_si256();
      since_flush = 0;
    }
  }
  if (i < n) {
    // The last 32 positions, of which the first 32 - (n - i) were counted:
    // byte j of the mask is kept when j >= 32 - (n - i).
    alignas(32) static const std::uint8_t kTailMask[64] = {
        0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
        0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    step32(cur, prev, ahead, behind, n - kStep, load32(kTailMask + (n - i)), s);
  }
  v_total = _mm256_add_epi64(v_total, widen_epi32(s.v));
  d_sum += 11 * hsum_epi64(s.d);
  v_sum += hsum_epi64(v_total);
}

}  // namespace focusmeter::detail
