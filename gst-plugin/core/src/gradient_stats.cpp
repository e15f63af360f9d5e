// Laplacian, Scharr and luma statistics in one pass over the frame.
//
// All filters run on the 8-bit luma in integer arithmetic and are scaled to
// the Y/255 float domain only at the end: the Laplacian of Y/255 is exactly
// (integer Laplacian)/255, so its variance and maximum are exact up to the
// final division, with no float accumulation error however large the frame.
// Borders follow scipy.ndimage's 'reflect' mode (d c b a | a b c d), which
// is what skimage.filters.laplace and skimage.filters.scharr use.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <vector>

#include "focusmeter/features.h"
#include "padded_rows.h"
#include "simd.h"

#if FOCUSMETER_X86
#include <immintrin.h>
#endif

namespace focusmeter {
namespace {

// Sums over one row, in integer units (Laplacian and Scharr unscaled).
struct RowSums {
  std::int64_t lap_sum = 0;
  std::int64_t lap_sq = 0;
  std::int32_t lap_max = INT32_MIN;
  std::int64_t grad_sq = 0;  // sum of gx^2 + gy^2
  double grad_mag = 0;       // sum of sqrt(gx^2 + gy^2)
  std::int64_t luma_sum = 0;
  std::int64_t luma_sq = 0;
};

// Pixels per block: small enough that every per-block sum fits in 32 bits
// (gx^2 + gy^2 <= 2 * 4080^2 = 33,292,800, times 64 < 2^32), so the block
// loop runs on uniform 8 x 32-bit AVX2 lanes; sums widen once per block.
constexpr int kBlock = 64;

// Sums over pixels [x0, x0 + n) of one row. `u`, `m`, `d` are the rows above,
// at and below, each padded with one reflected pixel on either side (index
// -1 and `w` are valid). `omp simd reduction` (compiled with -fopenmp-simd,
// no OpenMP runtime) lets the compiler split the sums over vector lanes: the
// integer sums are exact in any order; the float sum of Scharr magnitudes
// (64 terms, then accumulated in double) differs from a serial sum by
// rounding only.
void block_sums(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int n, RowSums& out) {
  std::int32_t lap_sum = 0, lap_sq = 0, luma_sum = 0, luma_sq = 0;
  std::uint32_t grad_sq = 0;
  std::int32_t lap_max = INT32_MIN;
  float grad_mag = 0;
#pragma omp simd reduction(+ : lap_sum, lap_sq, grad_sq, luma_sum, luma_sq, grad_mag) reduction(max : lap_max)
  for (int x = 0; x < n; ++x) {
    const std::int32_t c = m[x];
    const std::int32_t lap = 4 * c - m[x - 1] - m[x + 1] - u[x] - d[x];
    // Scharr, unnormalised: derivative [1,0,-1] across, smoothing [3,10,3].
    const std::int32_t gx = 3 * (u[x + 1] - u[x - 1]) + 10 * (m[x + 1] - m[x - 1]) + 3 * (d[x + 1] - d[x - 1]);
    const std::int32_t gy = 3 * (d[x - 1] - u[x - 1]) + 10 * (d[x] - u[x]) + 3 * (d[x + 1] - u[x + 1]);
    const std::int32_t g2 = gx * gx + gy * gy;
    lap_sum += lap;
    lap_sq += lap * lap;
    lap_max = lap > lap_max ? lap : lap_max;
    grad_sq += static_cast<std::uint32_t>(g2);
    grad_mag += std::sqrt(static_cast<float>(g2));
    luma_sum += c;
    luma_sq += c * c;
  }
  out.lap_sum += lap_sum;
  out.lap_sq += lap_sq;
  out.lap_max = std::max(out.lap_max, lap_max);
  out.grad_sq += grad_sq;
  out.grad_mag += grad_mag;
  out.luma_sum += luma_sum;
  out.luma_sq += luma_sq;
}

void row_sums_portable(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int x0, int w,
                       RowSums& out) {
  for (; x0 < w; x0 += kBlock) block_sums(u + x0, m + x0, d + x0, std::min(kBlock, w - x0), out);
}

#if FOCUSMETER_X86
// The same sums with AVX2 on 16 pixels at a time in 16-bit lanes (every
// intermediate fits: |lap| <= 1020, |gx|, |gy| <= 4080), squares and pair
// sums through vpmaddwd into 32-bit lanes. 32-bit accumulators are flushed
// into the 64-bit totals every kFlush iterations, before any can overflow:
// per iteration a lane gains at most 2 * 33,292,800 (gx^2 + gy^2, unsigned),
// 2 * 1,040,400 (lap^2) or 2 * 65,025 (luma^2); times 32 stays below 2^31
// (2^32 for the unsigned gradient sum). Returns the pixels done (a multiple
// of 16); the caller finishes the row with the portable loop.
constexpr int kFlush = 32;

__attribute__((target("avx2"))) inline std::int64_t hsum_epi32(__m256i v) {
  const __m256i lo = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(v));
  const __m256i hi = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1));
  alignas(32) std::int64_t t[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(t), _mm256_add_epi64(lo, hi));
  return t[0] + t[1] + t[2] + t[3];
}

__attribute__((target("avx2"))) inline std::int64_t hsum_epu32(__m256i v) {
  const __m256i lo = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(v));
  const __m256i hi = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(v, 1));
  alignas(32) std::int64_t t[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(t), _mm256_add_epi64(lo, hi));
  return t[0] + t[1] + t[2] + t[3];
}

__attribute__((target("avx2"))) int row_sums_avx2(const std::int16_t* u, const std::int16_t* m,
                                                   const std::int16_t* d, int w, RowSums& out) {
  const __m256i ones = _mm256_set1_epi16(1);
  const __m256i k3 = _mm256_set1_epi16(3);
  const __m256i k10 = _mm256_set1_epi16(10);
  __m256i lap_max = _mm256_set1_epi16(INT16_MIN);
#define load(p) _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))

  int x = 0;
  while (x + 16 <= w) {
    __m256i lap_sum = _mm256_setzero_si256(), lap_sq = _mm256_setzero_si256();
    __m256i luma_sum = _mm256_setzero_si256(), luma_sq = _mm256_setzero_si256();
    __m256i grad_sq = _mm256_setzero_si256();
    __m256 grad_mag = _mm256_setzero_ps();
    for (int i = 0; i < kFlush && x + 16 <= w; ++i, x += 16) {
      const __m256i ul = load(u + x - 1), uc = load(u + x), ur = load(u + x + 1);
      const __m256i ml = load(m + x - 1), mc = load(m + x), mr = load(m + x + 1);
      const __m256i dl = load(d + x - 1), dc = load(d + x), dr = load(d + x + 1);
      const __m256i lap = _mm256_sub_epi16(_mm256_slli_epi16(mc, 2),
                                           _mm256_add_epi16(_mm256_add_epi16(ml, mr), _mm256_add_epi16(uc, dc)));
      const __m256i gx =
          _mm256_add_epi16(_mm256_mullo_epi16(k3, _mm256_add_epi16(_mm256_sub_epi16(ur, ul), _mm256_sub_epi16(dr, dl))),
                           _mm256_mullo_epi16(k10, _mm256_sub_epi16(mr, ml)));
      const __m256i gy =
          _mm256_add_epi16(_mm256_mullo_epi16(k3, _mm256_add_epi16(_mm256_sub_epi16(dl, ul), _mm256_sub_epi16(dr, ur))),
                           _mm256_mullo_epi16(k10, _mm256_sub_epi16(dc, uc)));
      const __m256i lo = _mm256_unpacklo_epi16(gx, gy);
      const __m256i hi = _mm256_unpackhi_epi16(gx, gy);
      const __m256i g2lo = _mm256_madd_epi16(lo, lo);  // gx^2 + gy^2 per pixel
      const __m256i g2hi = _mm256_madd_epi16(hi, hi);
      grad_sq = _mm256_add_epi32(grad_sq, _mm256_add_epi32(g2lo, g2hi));
      grad_mag = _mm256_add_ps(grad_mag, _mm256_add_ps(_mm256_sqrt_ps(_mm256_cvtepi32_ps(g2lo)),
                                                       _mm256_sqrt_ps(_mm256_cvtepi32_ps(g2hi))));
      lap_sum = _mm256_add_epi32(lap_sum, _mm256_madd_epi16(lap, ones));
      lap_sq = _mm256_add_epi32(lap_sq, _mm256_madd_epi16(lap, lap));
      lap_max = _mm256_max_epi16(lap_max, lap);
      luma_sum = _mm256_add_epi32(luma_sum, _mm256_madd_epi16(mc, ones));
      luma_sq = _mm256_add_epi32(luma_sq, _mm256_madd_epi16(mc, mc));
    }
    out.lap_sum += hsum_epi32(lap_sum);
    out.lap_sq += hsum_epi32(lap_sq);
    out.luma_sum += hsum_epi32(luma_sum);
    out.luma_sq += hsum_epi32(luma_sq);
    out.grad_sq += hsum_epu32(grad_sq);
    alignas(32) float mags[8];
    _mm256_store_ps(mags, grad_mag);
    out.grad_mag += (static_cast<double>(mags[0]) + mags[1] + mags[2] + mags[3]) +
                    (static_cast<double>(mags[4]) + mags[5] + mags[6] + mags[7]);
  }
#undef load
  alignas(32) std::int16_t maxes[16];
  _mm256_store_si256(reinterpret_cast<__m256i*>(maxes), lap_max);
  for (std::int16_t v : maxes) out.lap_max = std::max<std::int32_t>(out.lap_max, v);
  return x;
}
#endif

void row_sums(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int w, RowSums& out) {
  int done = 0;
#if FOCUSMETER_X86
  if (simd_enabled() && cpu_has_avx2()) done = row_sums_avx2(u, m, d, w, out);
#endif
  row_sums_portable(u, m, d, done, w, out);
}

// Population variance from integer sums, exact until the final division.
double variance(std::int64_t sum, std::int64_t sum_sq, std::int64_t n) {
  const __int128 num = static_cast<__int128>(sum_sq) * n - static_cast<__int128>(sum) * sum;
  return static_cast<double>(num) / (static_cast<double>(n) * static_cast<double>(n));
}

}  // namespace

GradientStats gradient_stats(const LumaView& luma) {
  GradientStats stats;
  if (luma.empty()) return stats;
  const int w = luma.width();
  const int h = luma.height();

  detail::PaddedRows rows(luma);
  RowSums sums;
  for (int y = 0; y < h; ++y) {
    // Fetch the lower row first so the ring never evicts a row still needed.
    const std::int16_t* d = rows.row(y + 1);
    const std::int16_t* m = rows.row(y);
    const std::int16_t* u = rows.row(y - 1);
    row_sums(u, m, d, w, sums);
  }

  const std::int64_t n = static_cast<std::int64_t>(w) * h;
  const double nd = static_cast<double>(n);
  constexpr double k255 = 255.0;
  stats.laplacian_variance = variance(sums.lap_sum, sums.lap_sq, n) / (k255 * k255);
  stats.laplacian_max = sums.lap_max / k255;
  // scharr = sqrt((Sx^2 + Sy^2) / 2) with Sx = gx / (16 * 255).
  constexpr double kScharr = 16.0 * 255.0;
  const double mean_sq = static_cast<double>(sums.grad_sq) / (2.0 * nd * kScharr * kScharr);
  const double mean = sums.grad_mag / (std::sqrt(2.0) * kScharr * nd);
  stats.scharr_variance = std::max(0.0, mean_sq - mean * mean);
  stats.brightness = static_cast<double>(sums.luma_sum) / nd / k255;
  stats.contrast = std::sqrt(variance(sums.luma_sum, sums.luma_sq, n)) / k255;
  return stats;
}

}  // namespace focusmeter
