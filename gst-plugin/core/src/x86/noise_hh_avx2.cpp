// AVX2 kernels of the exact |HH| band (noise_hh.cpp has the definition):
// the same IEEE operations in the same order on four columns at a time.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "db2.h"
#include "kernels.h"
#include "x86/compress.h"
#include "x86/kernels_avx2.h"

namespace focusmeter::detail {
namespace {

// The prefix of a row converted (y * (1/255) in double); returns where it stopped.
int to_double_prefix(const std::uint8_t* src, int w, double* dst) {
  const __m256d k = _mm256_set1_pd(kInv255);
  int x = 0;
#pragma GCC unroll 2
  for (; x + 8 <= w; x += 8) {
    const __m256i y = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + x)));
    const __m256d lo = _mm256_cvtepi32_pd(_mm256_castsi256_si128(y));
    const __m256d hi = _mm256_cvtepi32_pd(_mm256_extracti128_si256(y, 1));
    _mm256_storeu_pd(dst + x, _mm256_mul_pd(lo, k));
    _mm256_storeu_pd(dst + x + 4, _mm256_mul_pd(hi, k));
  }
  return x;
}

int vertical_prefix(const double* r0, const double* r1, const double* r2, const double* r3, int w, double* v) {
  const __m256d h0 = _mm256_set1_pd(kHi0), h1 = _mm256_set1_pd(kHi1);
  const __m256d h2 = _mm256_set1_pd(kHi2), h3 = _mm256_set1_pd(kHi3);
  int x = 0;
#pragma GCC unroll 2
  for (; x + 4 <= w; x += 4) {
    __m256d s = _mm256_mul_pd(h0, _mm256_loadu_pd(r0 + x));
    s = _mm256_add_pd(s, _mm256_mul_pd(h1, _mm256_loadu_pd(r1 + x)));
    s = _mm256_add_pd(s, _mm256_mul_pd(h2, _mm256_loadu_pd(r2 + x)));
    s = _mm256_add_pd(s, _mm256_mul_pd(h3, _mm256_loadu_pd(r3 + x)));
    _mm256_storeu_pd(v + x, s);
  }
  return x;
}

// |HH| of the four outputs c..c+3, from v[2c-2 .. 2c+7]. unpacklo/hi of two
// runs of four split even and odd columns without crossing 128-bit lanes,
// which leaves the outputs in the order c, c+2, c+1, c+3: harmless, since
// nothing downstream (counts, window, selection) depends on the order of HH.
inline __m256i hh4(const double* v, int c) {
  const __m256d a = _mm256_loadu_pd(v + 2 * c - 2);    // v[2c-2 .. 2c+1]
  const __m256d b = _mm256_loadu_pd(v + 2 * c + 2);    // v[2c+2 .. 2c+5]
  const __m256d a2 = _mm256_loadu_pd(v + 2 * c);       // v[2c .. 2c+3]
  const __m256d b2 = _mm256_loadu_pd(v + 2 * c + 4);   // v[2c+4 .. 2c+7]
  const __m256d odd = _mm256_unpackhi_pd(a2, b2);      // v[2k+1] for k = c, c+2, c+1, c+3
  const __m256d even = _mm256_unpacklo_pd(a2, b2);     // v[2k]
  const __m256d odd_prev = _mm256_unpackhi_pd(a, b);   // v[2k-1]
  const __m256d even_prev = _mm256_unpacklo_pd(a, b);  // v[2k-2]
  __m256d s = _mm256_mul_pd(_mm256_set1_pd(kHi0), odd);
  s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(kHi1), even));
  s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(kHi2), odd_prev));
  s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(kHi3), even_prev));
  return _mm256_and_si256(_mm256_castpd_si256(s), _mm256_set1_epi64x(INT64_MAX));
}

std::int64_t hsum_epi64(__m256i v) {
  alignas(32) std::int64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

// Source columns 2c-2 .. 2c+1 of a row as doubles y * (1/255).
inline __m256d columns4(const std::uint8_t* row, int c) {
  std::int32_t bytes;
  std::memcpy(&bytes, row + 2 * c - 2, sizeof bytes);
  const __m256d y = _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(bytes)));
  return _mm256_mul_pd(y, _mm256_set1_pd(kInv255));
}

}  // namespace

void to_double_avx2(const std::uint8_t* src, int w, double* dst) {
  to_double_portable(src, to_double_prefix(src, w, dst), w, dst);
}

void vertical_avx2(const double* r0, const double* r1, const double* r2, const double* r3, int w, double* v) {
  vertical_portable(r0, r1, r2, r3, vertical_prefix(r0, r1, r2, r3, w, v), w, v);
}

// Rows 0 and 1 of the filter (source rows 2r+1 and 2r) are new, so they are
// converted here, kept in the ring for the next output row (where they are
// taps 2 and 3), and used straight from registers; rows 2 and 3 come from
// the ring.
void convert_vertical_avx2(const std::uint8_t* src0, const std::uint8_t* src1, double* r0, double* r1, const double* r2,
                           const double* r3, int w, double* v) {
  const __m256d k = _mm256_set1_pd(kInv255);
  const __m256d h0 = _mm256_set1_pd(kHi0), h1 = _mm256_set1_pd(kHi1);
  const __m256d h2 = _mm256_set1_pd(kHi2), h3 = _mm256_set1_pd(kHi3);
  int x = 0;
  for (; x + 8 <= w; x += 8) {
    const __m256i y0 = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src0 + x)));
    const __m256i y1 = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src1 + x)));
    for (int half = 0; half < 2; ++half) {
      const int i = x + 4 * half;
      const __m128i y0h = half ? _mm256_extracti128_si256(y0, 1) : _mm256_castsi256_si128(y0);
      const __m128i y1h = half ? _mm256_extracti128_si256(y1, 1) : _mm256_castsi256_si128(y1);
      const __m256d a = _mm256_mul_pd(_mm256_cvtepi32_pd(y0h), k);
      const __m256d b = _mm256_mul_pd(_mm256_cvtepi32_pd(y1h), k);
      _mm256_storeu_pd(r0 + i, a);
      _mm256_storeu_pd(r1 + i, b);
      __m256d s = _mm256_mul_pd(h0, a);
      s = _mm256_add_pd(s, _mm256_mul_pd(h1, b));
      s = _mm256_add_pd(s, _mm256_mul_pd(h2, _mm256_loadu_pd(r2 + i)));
      s = _mm256_add_pd(s, _mm256_mul_pd(h3, _mm256_loadu_pd(r3 + i)));
      _mm256_storeu_pd(v + i, s);
    }
  }
  to_double_portable(src0, x, w, r0);
  to_double_portable(src1, x, w, r1);
  vertical_portable(r0, r1, r2, r3, x, w, v);
}

void hh_row_avx2(const double* v, int c, int c1, std::uint64_t* out) {
  for (; c + 4 <= c1; c += 4) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), hh4(v, c));
  hh_row_portable(v, c, c1, out);
}

// The horizontal pass fused with the tally (|HH| goes from register to count
// without a store). Bit patterns of |HH| are below 2^63, so signed 64-bit
// compares order them.
void hh_tally_avx2(const double* v, int c, int c1, std::uint64_t* out, Tally& t) {
  const __m256i lo = _mm256_set1_epi64x(static_cast<std::int64_t>(t.window.lo));
  const __m256i hi = _mm256_set1_epi64x(static_cast<std::int64_t>(t.window.hi));
  const __m256i zero = _mm256_setzero_si256();
  __m256i below = zero, zeros = zero;  // per lane, counted by subtracting the all-ones masks
  std::uint64_t* keep = t.keep + t.kept;
  const int start = c;
#pragma GCC unroll 2
  for (; c + 4 <= c1; c += 4) {
    const __m256i b = hh4(v, c);
    const __m256i is_below = _mm256_cmpgt_epi64(lo, b);
    const __m256i outside = _mm256_or_si256(is_below, _mm256_cmpgt_epi64(b, hi));
    below = _mm256_sub_epi64(below, is_below);
    zeros = _mm256_sub_epi64(zeros, _mm256_cmpeq_epi64(b, zero));
    const int m = _mm256_movemask_pd(_mm256_castsi256_pd(outside));
    const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(x86::kCompress4x64.idx[m]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(keep), _mm256_permutevar8x32_epi32(b, perm));
    keep += x86::kCompress4x64.count[m];
  }
  t.below += static_cast<std::size_t>(hsum_epi64(below));
  t.zeros += static_cast<std::size_t>(hsum_epi64(zeros));
  t.kept = static_cast<std::size_t>(keep - t.keep);
  t.total += static_cast<std::size_t>(c - start);
  // The rest of the row.
  hh_row_portable(v, c, c1, out);
  tally_portable(out + c, static_cast<std::size_t>(c1 - c), t);
}

// The four vertical sums side by side (lanes: columns 2c-2 .. 2c+1), the
// same operations in the same order; the horizontal sum stays in filter order.
double exact_hh_interior_avx2(const std::uint8_t* const rows[4], int c) {
  __m256d v = _mm256_mul_pd(_mm256_set1_pd(kHi0), columns4(rows[0], c));
  v = _mm256_add_pd(v, _mm256_mul_pd(_mm256_set1_pd(kHi1), columns4(rows[1], c)));
  v = _mm256_add_pd(v, _mm256_mul_pd(_mm256_set1_pd(kHi2), columns4(rows[2], c)));
  v = _mm256_add_pd(v, _mm256_mul_pd(_mm256_set1_pd(kHi3), columns4(rows[3], c)));
  // The products h3 v(2c-2), h2 v(2c-1), h1 v(2c), h0 v(2c+1).
  const __m256d p = _mm256_mul_pd(v, _mm256_setr_pd(kHi3, kHi2, kHi1, kHi0));
  const __m128d lo = _mm256_castpd256_pd128(p), hi = _mm256_extractf128_pd(p, 1);
  double s = _mm_cvtsd_f64(_mm_unpackhi_pd(hi, hi));
  s += _mm_cvtsd_f64(hi);
  s += _mm_cvtsd_f64(_mm_unpackhi_pd(lo, lo));
  s += _mm_cvtsd_f64(lo);
  // |s| by clearing the sign bit (std::fabs is an inline function: kernels.h).
  return _mm_cvtsd_f64(_mm_andnot_pd(_mm_set_sd(-0.0), _mm_set_sd(s)));
}

}  // namespace focusmeter::detail
