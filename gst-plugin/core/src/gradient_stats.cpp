// Laplacian, Scharr and luma statistics in one pass over the frame.
//
// All filters run on the 8-bit luma in integer arithmetic and are scaled to
// the Y/255 float domain only at the end: the Laplacian of Y/255 is exactly
// (integer Laplacian)/255, so its variance and maximum are exact up to the
// final division, with no float accumulation error however large the frame.
// Borders follow scipy.ndimage's 'reflect' mode (d c b a | a b c d), which
// is what skimage.filters.laplace and skimage.filters.scharr use.
//
// With those borders the Laplacian sums to exactly zero over the frame: along
// a row, sum over x of (m[x-1] + m[x+1] - 2 m[x]) telescopes to
// (m[-1] - m[0]) + (m[w] - m[w-1]), and the reflected pads make both terms
// zero; the same holds down a column. So its variance is its mean square,
// and its maximum is never negative. Neither path sums the Laplacian itself.
//
// The one float sum, of the Scharr magnitudes, is taken in a fixed order on
// every path (below), so the result does not depend on the ISA, on the
// compiler's vectoriser or on sanitizer instrumentation. The AVX2 kernel is
// src/x86/gradient_avx2.cpp.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

#include "focusmeter/features.h"
#include "kernels.h"
#include "padded_rows.h"

namespace focusmeter {
namespace {

using detail::FrameSums;

// --- Portable path: the definition -----------------------------------------

// Pixels per block: small enough that every per-block sum fits in 32 bits
// (gx^2 + gy^2 <= 2 * 4080^2 = 33,292,800, times 64 < 2^32), so the block
// loop runs on uniform 32-bit lanes; sums widen once per block.
constexpr int kBlock = 64;

// The Scharr magnitudes are summed in float lanes, then in double, in one
// fixed order (the AVX2 kernel's natural one, which the portable loop copies):
// pixel x of a row goes to float lane x % 16; the lanes are moved into four
// double sums every kFlushPixels pixels of a row and at its end, lane k into
// sum k % 4 as written in flush_magnitudes; the four are added pairwise at
// the end of the frame. A float lane sums at most 128 magnitudes (<= 5771
// each), so its rounding stays within the test's bound.
constexpr int kLanes = 16;
constexpr int kFlushPixels = 128 * kLanes;
static_assert(kFlushPixels % kBlock == 0 && kBlock % kLanes == 0, "flushes fall on block edges, blocks on lanes");

// Sums over pixels [x0, x0 + n) of one row, n <= kBlock, x0 a multiple of
// kLanes. `u`, `m`, `d` are the rows above, at and below, each padded with one
// reflected pixel on either side (index -1 and `w` are valid). The integer
// sums are exact in any order, so `omp simd reduction` (compiled with
// -fopenmp-simd, no OpenMP runtime) lets the compiler split them over vector
// lanes; the magnitudes go to their fixed float lanes `mag`. The filters are
// kept in int16 (|lap| <= 1020, |gx|, |gy| <= 4080), squared into int32:
// that lets the compiler use 16-bit lanes and pmaddwd on the baseline x86-64
// ISA, which has no 32-bit multiply.
void block_sums(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int n, FrameSums& out,
                float* mag) {
  std::int32_t lap_sq = 0, luma_sum = 0, luma_sq = 0;
  std::uint32_t grad_sq = 0;
  std::int16_t lap_max = INT16_MIN;
  std::int32_t g2[kBlock];
#pragma omp simd reduction(+ : lap_sq, grad_sq, luma_sum, luma_sq) reduction(max : lap_max)
  for (int x = 0; x < n; ++x) {
    const std::int16_t c = m[x];
    const auto lap = static_cast<std::int16_t>(4 * c - m[x - 1] - m[x + 1] - u[x] - d[x]);
    // Scharr, unnormalised: derivative [1,0,-1] across, smoothing [3,10,3].
    const auto gx =
        static_cast<std::int16_t>(3 * (u[x + 1] - u[x - 1]) + 10 * (m[x + 1] - m[x - 1]) + 3 * (d[x + 1] - d[x - 1]));
    const auto gy =
        static_cast<std::int16_t>(3 * (d[x - 1] - u[x - 1]) + 10 * (d[x] - u[x]) + 3 * (d[x + 1] - u[x + 1]));
    g2[x] = gx * gx + gy * gy;
    lap_sq += lap * lap;
    lap_max = lap > lap_max ? lap : lap_max;
    grad_sq += static_cast<std::uint32_t>(g2[x]);
    luma_sum += c;
    luma_sq += c * c;
  }
  for (int x = 0; x < n; x += kLanes) {
    const int lanes = std::min(kLanes, n - x);
    for (int k = 0; k < lanes; ++k) mag[k] += std::sqrt(static_cast<float>(g2[x + k]));
  }
  out.lap_sq += lap_sq;
  out.lap_max = std::max<std::int32_t>(out.lap_max, lap_max);
  out.grad_sq += grad_sq;
  out.luma_sum += luma_sum;
  out.luma_sq += luma_sq;
}

// The float lanes into the double sums: lanes 0-3 and 8-11 first, then 4-7
// and 12-15 (the order the AVX2 kernel's unpacked halves have).
void flush_magnitudes(const float* mag, double* sum) {
  for (int k = 0; k < 4; ++k) sum[k] += static_cast<double>(mag[k]) + static_cast<double>(mag[8 + k]);
  for (int k = 0; k < 4; ++k) sum[k] += static_cast<double>(mag[4 + k]) + static_cast<double>(mag[12 + k]);
}

}  // namespace

namespace detail {

void frame_sums_portable(const Frame& frame, FrameSums& sums) {
  const int w = frame.width;
  PaddedRows rows(LumaView(frame.data, frame.width, frame.height, frame.stride), portable_kernels());
  double mag_sum[4] = {0, 0, 0, 0};
  for (int y = 0; y < frame.height; ++y) {
    // Fetch the lower row first so the ring never evicts a row still needed.
    const std::int16_t* d = rows.row(y + 1);
    const std::int16_t* m = rows.row(y);
    const std::int16_t* u = rows.row(y - 1);
    for (int x0 = 0; x0 < w; x0 += kFlushPixels) {
      float mag[kLanes] = {};
      const int end = std::min(w, x0 + kFlushPixels);
      for (int x = x0; x < end; x += kBlock) block_sums(u + x, m + x, d + x, std::min(kBlock, end - x), sums, mag);
      flush_magnitudes(mag, mag_sum);
    }
  }
  sums.grad_mag += (mag_sum[0] + mag_sum[1]) + (mag_sum[2] + mag_sum[3]);
}

}  // namespace detail

namespace {

// Population variance from integer sums, exact until the final division.
double variance(std::int64_t sum, std::int64_t sum_sq, std::int64_t n) {
  const __int128 num = static_cast<__int128>(sum_sq) * n - static_cast<__int128>(sum) * sum;
  return static_cast<double>(num) / (static_cast<double>(n) * static_cast<double>(n));
}

}  // namespace

GradientStats gradient_stats(const LumaView& luma) {
  GradientStats stats;
  if (luma.empty()) return stats;
  detail::FrameSums sums;
  detail::kernels().frame_sums({luma.data(), luma.stride(), luma.width(), luma.height()}, sums);

  const std::int64_t n = static_cast<std::int64_t>(luma.width()) * luma.height();
  const double nd = static_cast<double>(n);
  constexpr double k255 = 255.0;
  stats.laplacian_variance = variance(0, sums.lap_sq, n) / (k255 * k255);  // the Laplacian sums to 0
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
