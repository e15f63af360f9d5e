// gradient_stats against a plain transcription of its definition: every
// pixel's 3x3 Laplacian and Scharr gradient with scipy's 'reflect' borders,
// summed in 64-bit integers (square roots in long double), the Laplacian's
// variance taken with its mean. The AVX2 kernel reads the frame in 16-column
// chunks with shuffled edge chunks, so widths around multiples of 16 matter;
// the portable loop is the definition, and both tables (kernels.h) are run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "focusmeter/features.h"
#include "kernels.h"

namespace fm = focusmeter;

namespace {

// A w x h view into a buffer with `pad` bytes of noise after each row, so a
// kernel that read past the row's end would change the result.
struct Image {
  int w, h, stride;
  std::vector<std::uint8_t> px;
  std::uint8_t& at(int x, int y) { return px[static_cast<std::size_t>(y) * stride + x]; }
  std::uint8_t at(int x, int y) const { return px[static_cast<std::size_t>(y) * stride + x]; }
  fm::LumaView view() const { return fm::LumaView(px.data(), w, h, stride); }
};

struct Reference {
  fm::GradientStats stats;
  double scharr_mean_sq;  // E[m^2] of the Scharr magnitude m
};

Reference reference(const Image& img) {
  const auto p = [&](int x, int y) -> std::int64_t {
    return img.at(std::clamp(x, 0, img.w - 1), std::clamp(y, 0, img.h - 1));
  };
  std::int64_t lap_sum = 0, lap_sq = 0, lap_max = INT64_MIN, grad_sq = 0, luma_sum = 0, luma_sq = 0;
  long double grad_mag = 0;
  for (int y = 0; y < img.h; ++y)
    for (int x = 0; x < img.w; ++x) {
      const std::int64_t lap = 4 * p(x, y) - p(x - 1, y) - p(x + 1, y) - p(x, y - 1) - p(x, y + 1);
      const std::int64_t gx = 3 * (p(x + 1, y - 1) - p(x - 1, y - 1)) + 10 * (p(x + 1, y) - p(x - 1, y)) +
                              3 * (p(x + 1, y + 1) - p(x - 1, y + 1));
      const std::int64_t gy = 3 * (p(x - 1, y + 1) - p(x - 1, y - 1)) + 10 * (p(x, y + 1) - p(x, y - 1)) +
                              3 * (p(x + 1, y + 1) - p(x + 1, y - 1));
      lap_sum += lap;
      lap_sq += lap * lap;
      lap_max = std::max(lap_max, lap);
      grad_sq += gx * gx + gy * gy;
      grad_mag += std::sqrt(static_cast<long double>(gx * gx + gy * gy));
      luma_sum += p(x, y);
      luma_sq += p(x, y) * p(x, y);
    }
  // The identity gradient_stats relies on (see gradient_stats.cpp).
  EXPECT_EQ(lap_sum, 0) << img.w << "x" << img.h;
  const std::int64_t n = static_cast<std::int64_t>(img.w) * img.h;
  const double nd = static_cast<double>(n);
  const auto variance = [&](std::int64_t sum, std::int64_t sq) {
    const __int128 num = static_cast<__int128>(sq) * n - static_cast<__int128>(sum) * sum;
    return static_cast<double>(num) / (nd * nd);
  };
  const double k = 16.0 * 255.0;
  const double mean_sq = static_cast<double>(grad_sq) / (2.0 * nd * k * k);
  const double mean = static_cast<double>(grad_mag / (std::sqrt(2.0L) * k * nd));
  fm::GradientStats s;
  s.laplacian_variance = variance(lap_sum, lap_sq) / (255.0 * 255.0);
  s.laplacian_max = static_cast<double>(lap_max) / 255.0;
  s.scharr_variance = std::max(0.0, mean_sq - mean * mean);
  s.brightness = static_cast<double>(luma_sum) / nd / 255.0;
  s.contrast = std::sqrt(variance(luma_sum, luma_sq)) / 255.0;
  return {s, mean_sq};
}

// The Scharr variance E[m^2] - E[m]^2 sums float square roots (in float
// lanes, then double), so it is close, not equal: the mean magnitude E[m] is
// off by rounding, which moves the variance by about 2 d E[m]^2 <= 2 d E[m^2]
// for a relative error d of E[m] - however small the variance (a ramp's is
// zero). So the bound is relative to E[m^2], exact here. A float lane adds at
// most 128 non-negative magnitudes before they move to double
// (gradient_stats.cpp), so d <= 127 * 2^-24 (Higham, eq. 3.5) plus a few
// double roundings: 2 d < 1.6e-5. Seen: 9.75e-7 on the 4111-wide frames
// below (full flush intervals), at most 3.1e-7 on the others.
constexpr double kScharrTolerance = 1.6e-5;

double worst_scharr[2] = {0, 0};  // largest |error| / E[m^2] seen, simd and portable

void expect_matches(const Image& img, const fm::GradientStats& got, const Reference& ref, bool simd) {
  const char* path = simd ? "simd" : "portable";
  const fm::GradientStats& want = ref.stats;
  const std::string what = std::string(path) + " " + std::to_string(img.w) + "x" + std::to_string(img.h);
  EXPECT_EQ(got.laplacian_variance, want.laplacian_variance) << what;
  EXPECT_EQ(got.laplacian_max, want.laplacian_max) << what;
  EXPECT_EQ(got.brightness, want.brightness) << what;
  EXPECT_EQ(got.contrast, want.contrast) << what;
  const double err = std::fabs(got.scharr_variance - want.scharr_variance);
  EXPECT_LE(err, kScharrTolerance * ref.scharr_mean_sq)
      << what << " got " << got.scharr_variance << " want " << want.scharr_variance;
  if (ref.scharr_mean_sq > 0)
    worst_scharr[simd ? 0 : 1] = std::max(worst_scharr[simd ? 0 : 1], err / ref.scharr_mean_sq);
}

void expect_reference(const Image& img) {
  const Reference want = reference(img);
  fm::detail::force_portable_kernels(false);
  const fm::GradientStats fast = fm::gradient_stats(img.view());
  fm::detail::force_portable_kernels(true);
  const fm::GradientStats portable = fm::gradient_stats(img.view());
  fm::detail::force_portable_kernels(false);
  expect_matches(img, fast, want, true);
  expect_matches(img, portable, want, false);
  // The magnitudes are summed in one fixed order on every path, so the two
  // kernel tables agree to the bit (gradient_stats.cpp).
  EXPECT_EQ(fast.scharr_variance, portable.scharr_variance) << img.w << "x" << img.h;
}

// Noise; flat; a ramp; hard 0/255 stripes (the largest gradients and
// Laplacians); sparse specks on black.
Image make(int w, int h, int kind, std::mt19937& rng) {
  constexpr int kPad = 7;
  std::uniform_int_distribution<int> byte(0, 255);
  Image img{w, h, w + kPad, std::vector<std::uint8_t>(static_cast<std::size_t>(w + kPad) * h)};
  for (auto& b : img.px) b = static_cast<std::uint8_t>(byte(rng));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t v = 0;
      switch (kind) {
        case 0:
          v = static_cast<std::uint8_t>(byte(rng));
          break;
        case 1:
          v = 77;
          break;
        case 2:
          v = static_cast<std::uint8_t>((3 * x + 5 * y) % 256);
          break;
        case 3:
          v = (x / 2 + y) % 2 ? 255 : 0;
          break;
        default:
          v = byte(rng) < 8 ? 255 : 0;
          break;
      }
      img.at(x, y) = v;
    }
  return img;
}

TEST(GradientStats, MatchesTheDefinitionOnAssortedSizes) {
  std::mt19937 rng(5);
  for (int w : {1, 2, 3, 15, 16, 17, 18, 31, 32, 33, 34, 47, 48, 49, 63, 64, 65, 100, 257}) {
    for (int h : {1, 2, 3, 4, 9, 40}) {
      for (int kind = 0; kind < 5; ++kind) expect_reference(make(w, h, kind, rng));
    }
  }
}

// Many rows; and rows longer than the magnitudes' flush interval (2048
// pixels, 128 of the AVX2 kernel's chunks), twice over.
TEST(GradientStats, MatchesTheDefinitionOnAWideFrame) {
  std::mt19937 rng(9);
  for (int kind : {0, 3}) expect_reference(make(1283, 37, kind, rng));
  for (int kind : {0, 3}) expect_reference(make(4111, 5, kind, rng));
  std::printf("scharr_variance: worst error %.2e (simd), %.2e (portable) of E[m^2]\n", worst_scharr[0],
              worst_scharr[1]);
}

}  // namespace
