// noise_sigma against a plain transcription of what skimage/pywt compute:
// the whole HH band in double (pywt's order of operations), zeros dropped,
// numpy's median by sorting. The core never stores HH and selects the median
// from a window of values guessed from sampled rows; whatever the guess,
// the result must be the same to the bit, on the AVX2 and portable paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "focusmeter/features.h"
#include "noise_sigma_detail.h"
#include "simd.h"

namespace fm = focusmeter;

namespace {

struct Image {
  int w, h;
  std::vector<std::uint8_t> px;
  std::uint8_t& at(int x, int y) { return px[static_cast<std::size_t>(y) * w + x]; }
  fm::LumaView view() const { return fm::LumaView(px.data(), w, h, w); }
};

int symmetric(int i, int n) {
  const int period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

// pywt.dwtn(img, 'db2', mode='symmetric')['dd'], then estimate_sigma.
double reference_sigma(const Image& img) {
  constexpr double hi[4] = {-0.48296291314453416, 0.8365163037378079, -0.2241438680420134, -0.12940952255126037};
  const int out_h = (img.h + 3) / 2, out_w = (img.w + 3) / 2;
  std::vector<double> x(img.px.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = img.px[i] * (1.0 / 255.0);
  // Axis 0 first: output row r, every column.
  std::vector<double> v(static_cast<std::size_t>(out_h) * img.w);
  for (int r = 0; r < out_h; ++r)
    for (int c = 0; c < img.w; ++c) {
      double s = 0;
      for (int j = 0; j < 4; ++j) s += hi[j] * x[static_cast<std::size_t>(symmetric(2 * r + 1 - j, img.h)) * img.w + c];
      v[static_cast<std::size_t>(r) * img.w + c] = s;
    }
  std::vector<double> hh;
  for (int r = 0; r < out_h; ++r)
    for (int c = 0; c < out_w; ++c) {
      double s = 0;
      for (int j = 0; j < 4; ++j) s += hi[j] * v[static_cast<std::size_t>(r) * img.w + symmetric(2 * c + 1 - j, img.w)];
      if (s != 0) hh.push_back(std::fabs(s));
    }
  if (hh.empty()) return 0.0;
  std::sort(hh.begin(), hh.end());
  const std::size_t n = hh.size();
  const double median = n % 2 ? hh[n / 2] : (hh[n / 2 - 1] + hh[n / 2]) / 2.0;
  return median / 0.6744897501960817;
}

void expect_exact(const Image& img, const char* what) {
  const double want = reference_sigma(img);
  fm::set_simd_enabled(true);
  const double fast = fm::noise_sigma(img.view());
  fm::set_simd_enabled(false);
  const double portable = fm::noise_sigma(img.view());
  fm::set_simd_enabled(true);
  EXPECT_EQ(fast, want) << what << " " << img.w << "x" << img.h;
  EXPECT_EQ(portable, want) << what << " " << img.w << "x" << img.h;
}

// Kinds of content that stress different parts: plain noise; flat with a few
// specks (mostly exact zeros, or residues when not black); smooth gradients
// (rounding residues decide the median); black and saturated areas.
Image make(int w, int h, int kind, std::mt19937& rng) {
  Image img{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h)};
  std::uniform_int_distribution<int> byte(0, 255);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t p = 0;
      switch (kind) {
        case 0: p = static_cast<std::uint8_t>(byte(rng)); break;
        case 1: p = (x * 7 + y * 3) % 97 == 0 ? static_cast<std::uint8_t>(byte(rng)) : 0; break;
        case 2: p = static_cast<std::uint8_t>((x + 2 * y) % 256); break;
        case 3: p = x < w / 3 ? 0 : (x < 2 * w / 3 ? 255 : static_cast<std::uint8_t>(100 + byte(rng) % 5)); break;
        default: p = (x * 7 + y * 3) % 97 == 0 ? static_cast<std::uint8_t>(byte(rng)) : 200; break;
      }
      img.at(x, y) = p;
    }
  return img;
}

TEST(NoiseSigma, BitExactOnAssortedSizesAndContent) {
  std::mt19937 rng(7);
  for (int w : {1, 2, 3, 4, 5, 7, 8, 9, 16, 33, 64, 101}) {
    for (int h : {1, 2, 3, 5, 8, 31, 70, 130}) {
      for (int kind = 0; kind < 5; ++kind) expect_exact(make(w, h, kind, rng), "kind");
    }
  }
}

// A frame whose sampled rows are all busy and the rest almost flat: the
// window guessed from the sample misses the median, and the exact rescan
// must still give the reference value.
TEST(NoiseSigma, RescanWhenTheSampleMisleads) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  const int w = 200, h = 1080;  // 541 output rows: every 16th is sampled
  Image img{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      // Sampled output rows r = 8 + 16k read source rows 32k+14 .. 32k+17.
      const bool busy = y % 32 >= 12 && y % 32 <= 19;
      img.at(x, y) = static_cast<std::uint8_t>(busy ? byte(rng) : 120 + byte(rng) % 2);
    }
  const std::size_t before = fm::detail::noise_sigma_rescans();
  expect_exact(img, "striped");
  EXPECT_GT(fm::detail::noise_sigma_rescans(), before);
}

// A real-sized noisy frame takes the guessed window without a rescan.
TEST(NoiseSigma, NoRescanOnANoisyFrame) {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0.0, 3.0);
  const int w = 640, h = 480;
  Image img{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double base = 128 + 60 * std::sin(x * 0.02) * std::cos(y * 0.03);
      img.at(x, y) = static_cast<std::uint8_t>(std::clamp(base + noise(rng), 0.0, 255.0));
    }
  const std::size_t before = fm::detail::noise_sigma_rescans();
  expect_exact(img, "noisy");
  EXPECT_EQ(fm::detail::noise_sigma_rescans(), before);
}

}  // namespace
