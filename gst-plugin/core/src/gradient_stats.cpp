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
#include "simd.h"

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

// `u`, `m`, `d` are the rows above, at and below, each padded with one
// reflected pixel on either side (index -1 and `w` are valid). `lap` and
// `mag` are scratch rows of `w` elements. Plain loops, written so that the
// compiler vectorises each of them.
FOCUSMETER_TARGET_CLONES
void row_sums(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int w, std::int32_t* lap,
              std::int32_t* g2, float* mag, RowSums& out) {
  for (int x = 0; x < w; ++x) {
    lap[x] = 4 * m[x] - m[x - 1] - m[x + 1] - u[x] - d[x];
    // Scharr, unnormalised: derivative [1,0,-1] across, smoothing [3,10,3].
    const std::int32_t gx = 3 * (u[x + 1] - u[x - 1]) + 10 * (m[x + 1] - m[x - 1]) + 3 * (d[x + 1] - d[x - 1]);
    const std::int32_t gy = 3 * (d[x - 1] - u[x - 1]) + 10 * (d[x] - u[x]) + 3 * (d[x + 1] - u[x + 1]);
    g2[x] = gx * gx + gy * gy;
  }
  std::int64_t lap_sum = 0, lap_sq = 0, grad_sq = 0, luma_sum = 0, luma_sq = 0;
  std::int32_t lap_max = INT32_MIN;
  for (int x = 0; x < w; ++x) {
    lap_sum += lap[x];
    lap_sq += static_cast<std::int64_t>(lap[x] * lap[x]);
    lap_max = std::max(lap_max, lap[x]);
    grad_sq += g2[x];
    luma_sum += m[x];
    luma_sq += m[x] * m[x];
  }
  for (int x = 0; x < w; ++x) mag[x] = std::sqrt(static_cast<float>(g2[x]));
  // Four partial sums so the double additions can run in parallel without
  // -ffast-math; the result differs from a serial sum by rounding only.
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int x = 0;
  for (; x + 4 <= w; x += 4) {
    s0 += mag[x];
    s1 += mag[x + 1];
    s2 += mag[x + 2];
    s3 += mag[x + 3];
  }
  for (; x < w; ++x) s0 += mag[x];

  out.lap_sum += lap_sum;
  out.lap_sq += lap_sq;
  out.lap_max = std::max(out.lap_max, lap_max);
  out.grad_sq += grad_sq;
  out.grad_mag += (s0 + s1) + (s2 + s3);
  out.luma_sum += luma_sum;
  out.luma_sq += luma_sq;
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

  // Three padded int16 rows, reused as a ring: row r lives in slot r % 3.
  const std::size_t padded = static_cast<std::size_t>(w) + 2;
  std::vector<std::int16_t> ring(3 * padded);
  int slot_row[3] = {-1, -1, -1};
  auto padded_row = [&](int r) -> const std::int16_t* {
    r = r < 0 ? 0 : (r >= h ? h - 1 : r);  // 'reflect' for a one-pixel reach
    std::int16_t* dst = ring.data() + static_cast<std::size_t>(r % 3) * padded;
    if (slot_row[r % 3] != r) {
      const std::uint8_t* src = luma.row(r);
      for (int x = 0; x < w; ++x) dst[x + 1] = src[x];
      dst[0] = src[0];
      dst[w + 1] = src[w - 1];
      slot_row[r % 3] = r;
    }
    return dst + 1;
  };

  std::vector<std::int32_t> lap(w), g2(w);
  std::vector<float> mag(w);
  RowSums sums;
  for (int y = 0; y < h; ++y) {
    // Fetch the lower row first so the ring never evicts a row still needed.
    const std::int16_t* d = padded_row(y + 1);
    const std::int16_t* m = padded_row(y);
    const std::int16_t* u = padded_row(y - 1);
    row_sums(u, m, d, w, lap.data(), g2.data(), mag.data(), sums);
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
