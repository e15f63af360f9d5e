// noise_sigma against a plain transcription of what skimage/pywt compute:
// the whole HH band in double (pywt's order of operations), zeros dropped,
// numpy's median by sorting. The core never stores HH: it screens |HH| in
// float, selects the median from a window of values guessed from sampled
// rows and recomputes exactly only the values the screen cannot order; or,
// on flat frames and when the guess misses, runs an exact double pass.
// Whatever path a frame takes, the result must be the same to the bit, on
// every kernel table (kernels.h: portable, and AVX2 where the CPU has it).
// The per-call stats of noise_sigma_detail.h show which path ran, so each
// test below can insist on the one it is about.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "focusmeter/features.h"
#include "kernels.h"
#include "noise_sigma_detail.h"

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

// On a CPU with AVX2 the tests must run the AVX2 kernels too, not the
// portable ones twice.
TEST(NoiseSigma, EveryKernelTableOfThisCpuIsTested) {
  const auto tables = fm::detail::available_kernels();
  ASSERT_GE(tables.size(), 1u);
  EXPECT_STREQ(tables[0]->isa, "portable");
#if defined(FOCUSMETER_HAVE_AVX2)
  if (__builtin_cpu_supports("avx2") && !std::getenv("FOCUSMETER_KERNELS")) {
    ASSERT_EQ(tables.size(), 2u);
    EXPECT_STREQ(tables[1]->isa, "avx2");
    fm::detail::force_portable_kernels(false);
    EXPECT_STREQ(fm::detail::kernels().isa, "avx2");
    fm::detail::force_portable_kernels(true);
    EXPECT_STREQ(fm::detail::kernels().isa, "portable");
    fm::detail::force_portable_kernels(false);
  }
#endif
}

// Checks both kernel tables against the reference; returns the paths the
// two calls took.
fm::detail::NoiseSigmaStats expect_exact(const Image& img, const char* what) {
  const double want = reference_sigma(img);
  fm::detail::NoiseSigmaStats fast_stats, portable_stats;
  fm::detail::force_portable_kernels(false);
  const double fast = fm::detail::noise_sigma(img.view(), fast_stats);
  fm::detail::force_portable_kernels(true);
  const double portable = fm::detail::noise_sigma(img.view(), portable_stats);
  fm::detail::force_portable_kernels(false);
  EXPECT_EQ(fast, want) << what << " " << img.w << "x" << img.h;
  EXPECT_EQ(portable, want) << what << " " << img.w << "x" << img.h;
  // The same values through the same windows: the same paths.
  EXPECT_EQ(fast_stats.rescans, portable_stats.rescans) << what;
  EXPECT_EQ(fast_stats.exact_passes, portable_stats.exact_passes) << what;
  EXPECT_EQ(fast_stats.recomputed, portable_stats.recomputed) << what;
  // And the public entry point gives the same.
  EXPECT_EQ(fm::noise_sigma(img.view()), want) << what;
  return fast_stats += portable_stats;
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
        case 0:
          p = static_cast<std::uint8_t>(byte(rng));
          break;
        case 1:
          p = (x * 7 + y * 3) % 97 == 0 ? static_cast<std::uint8_t>(byte(rng)) : 0;
          break;
        case 2:
          p = static_cast<std::uint8_t>((x + 2 * y) % 256);
          break;
        case 3:
          p = x < w / 3 ? 0 : (x < 2 * w / 3 ? 255 : static_cast<std::uint8_t>(100 + byte(rng) % 5));
          break;
        default:
          p = (x * 7 + y * 3) % 97 == 0 ? static_cast<std::uint8_t>(byte(rng)) : 200;
          break;
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
  EXPECT_GT(expect_exact(img, "striped").rescans, 0u);
}

// A smooth scene plus Gaussian sensor noise of the given sigma (in bytes).
Image noisy_scene(int w, int h, double sigma, std::mt19937& rng) {
  std::normal_distribution<double> noise(0.0, sigma);
  Image img{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double base = 128 + 60 * std::sin(x * 0.02) * std::cos(y * 0.03);
      img.at(x, y) = static_cast<std::uint8_t>(std::clamp(std::lround(base + noise(rng)), 0L, 255L));
    }
  return img;
}

// A real-sized noisy frame: the screen settles it (no exact pass, no
// rescan), recomputing some values near the median exactly, on both the
// AVX2 and the portable kernels.
TEST(NoiseSigma, TheScreenSettlesANoisyFrame) {
  std::mt19937 rng(3);
  const Image img = noisy_scene(640, 480, 3.0, rng);
  const auto paths = expect_exact(img, "noisy");
  EXPECT_EQ(paths.rescans, 0u);
  EXPECT_EQ(paths.exact_passes, 0u);
  // Two calls, each recomputing some values, but a small share of them all.
  EXPECT_GT(paths.recomputed, 2u);
  EXPECT_LT(paths.recomputed, 2u * 321 * 241 / 10);
}

// The bound the screen relies on, measured over every coefficient of frames
// built to make the float error large: full-swing patterns that line up
// with the taps' signs (the largest |V| and |HH|), random bytes, random
// black and white, and ramps; through the AVX2 and the portable kernels.
TEST(NoiseSigma, ScreenErrorStaysWithinTheDerivedBound) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> byte(0, 255);
  const double bound = fm::detail::noise_sigma_screen_bound();
  EXPECT_LT(bound, 1.7e-6);
  // Tap signs of db2's high-pass, - + - -, on both axes, repeating every 4.
  const int sign[4] = {-1, 1, -1, -1};
  std::vector<Image> frames;
  for (int phase = 0; phase < 4; ++phase) {
    Image img{67, 45, std::vector<std::uint8_t>(67 * 45)};
    for (int y = 0; y < img.h; ++y)
      for (int x = 0; x < img.w; ++x) img.at(x, y) = sign[(x + phase) % 4] * sign[(y + phase) % 4] > 0 ? 255 : 0;
    frames.push_back(img);
  }
  Image random{130, 97, std::vector<std::uint8_t>(130 * 97)};
  Image binary = random, ramp = random;
  for (int y = 0; y < random.h; ++y)
    for (int x = 0; x < random.w; ++x) {
      random.at(x, y) = static_cast<std::uint8_t>(byte(rng));
      binary.at(x, y) = byte(rng) < 128 ? 0 : 255;
      ramp.at(x, y) = static_cast<std::uint8_t>((3 * x + 5 * y) % 256);
    }
  frames.insert(frames.end(), {random, binary, ramp});
  double worst = 0;
  for (bool simd : {true, false}) {
    fm::detail::force_portable_kernels(!simd);
    for (const Image& img : frames) {
      const double err = fm::detail::noise_sigma_screen_error(img.view());
      EXPECT_LE(err, bound) << img.w << "x" << img.h << (simd ? " simd" : " portable");
      worst = std::max(worst, err);
    }
  }
  fm::detail::force_portable_kernels(false);
  EXPECT_GT(worst, 0.0);  // the measurement measures something
}

// Odd and tiny sizes, and the plain cases (black, flat, flat with residues,
// noise), on both kernels and against the reference.
TEST(NoiseSigma, BitExactOnOddSizesAndPlainFrames) {
  std::mt19937 rng(17);
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto [w, h] : {std::pair{1, 1}, {5, 3}, {7, 1}, {1, 7}, {641, 479}, {17, 2}, {2, 17}}) {
    Image black{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h, 0)};
    Image flat{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h, 137)};
    Image noise = black;
    for (auto& p : noise.px) p = static_cast<std::uint8_t>(byte(rng));
    expect_exact(black, "black");
    expect_exact(flat, "flat");
    expect_exact(noise, "noise");
    expect_exact(noisy_scene(w, h, 1.5, rng), "scene");
  }
}

// Frames whose median sits among near-zero residues (flat, smooth, or
// mostly flat) go to the exact pass, and still match.
TEST(NoiseSigma, NearZeroMediansTakeTheExactPass) {
  std::mt19937 rng(19);
  for (int kind : {2, 4}) {  // a ramp; a flat frame with specks
    const Image img = make(400, 300, kind, rng);
    EXPECT_GT(expect_exact(img, "near-zero median").exact_passes, 0u) << kind;
  }
  // Two thirds flat (the near-zero values are too many to recompute).
  Image img = noisy_scene(600, 400, 2.0, rng);
  for (int y = 0; y < img.h; ++y)
    for (int x = 0; x < 2 * img.w / 3; ++x) img.at(x, y) = 90;
  EXPECT_GT(expect_exact(img, "mostly flat").exact_passes, 0u);
}

// A noisy frame with a few flat patches: their exact zeros (and residues)
// are screened near zero, recomputed, and the zeros dropped from the ranks,
// all without the exact pass. Patch sizes vary so that the count of zeros,
// and with it the median's rank, changes from frame to frame.
TEST(NoiseSigma, ScreenDropsExactZerosExactly) {
  std::mt19937 rng(23);
  for (int patch : {3, 8, 13, 20}) {
    Image img = noisy_scene(320, 240, 2.5, rng);
    for (int y = 40; y < 40 + patch; ++y)
      for (int x = 60; x < 60 + 2 * patch; ++x) img.at(x, y) = 0;  // black: exact zeros
    for (int y = 150; y < 150 + patch; ++y)
      for (int x = 200; x < 200 + patch; ++x) img.at(x, y) = 201;  // flat: residues
    const auto paths = expect_exact(img, "patches");
    EXPECT_EQ(paths.exact_passes, 0u) << patch;
    EXPECT_GT(paths.recomputed, static_cast<std::size_t>(patch)) << patch;
  }
}

// Frames with many equal or nearly equal values at the median: noise of
// one or two levels on a flat field (|HH| takes few distinct values, so
// long runs of ties straddle the median), and low noise on a gradient.
TEST(NoiseSigma, BitExactWithTiesAndCloseValues) {
  std::mt19937 rng(29);
  std::uniform_int_distribution<int> coin(0, 1), three(0, 2);
  for (int trial = 0; trial < 6; ++trial) {
    const int w = 150 + 37 * trial, h = 90 + 23 * trial;
    Image ties{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h)};
    Image close = ties;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        ties.at(x, y) = static_cast<std::uint8_t>(100 + (trial % 2 ? three(rng) : coin(rng)));
        close.at(x, y) = static_cast<std::uint8_t>((x + y) / 3 + coin(rng));
      }
    expect_exact(ties, "ties");
    expect_exact(close, "close");
  }
}

// Random frames of every kind and many sizes, against the reference.
TEST(NoiseSigma, BitExactOnRandomFrames) {
  std::mt19937 rng(31);
  std::uniform_int_distribution<int> size(1, 260), kind(0, 4);
  std::uniform_real_distribution<double> sigma(0.3, 12.0);
  for (int trial = 0; trial < 40; ++trial) {
    const int w = size(rng), h = size(rng);
    expect_exact(trial % 2 ? make(w, h, kind(rng), rng) : noisy_scene(w, h, sigma(rng), rng), "random");
  }
}

}  // namespace
