// The db2 wavelet as pywt applies it, for noise_sigma: the high-pass taps in
// double (pywt's own values) and rounded to float (the screen's), and
// |value| <-> bit-pattern helpers; the half-sample symmetric extension is
// reflect.h's.
// Constants only where src/x86/ includes it (kernels.h's rules).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "reflect.h"

namespace focusmeter::detail {

// pywt.Wavelet('db2').dec_hi, in filter order.
constexpr double kHi0 = -0.48296291314453416;
constexpr double kHi1 = 0.8365163037378079;
constexpr double kHi2 = -0.2241438680420134;
constexpr double kHi3 = -0.12940952255126037;
constexpr double kHi[4] = {kHi0, kHi1, kHi2, kHi3};
constexpr double kInv255 = 1.0 / 255.0;             // img_as_float scales bytes as y * (1/255)
constexpr double kMadToSigma = 0.6744897501960817;  // estimate_sigma's scipy.stats.norm.ppf(0.75)

// The same taps rounded to float, for the screen (noise_screen.cpp).
constexpr float kHiF0 = static_cast<float>(kHi0);
constexpr float kHiF1 = static_cast<float>(kHi1);
constexpr float kHiF2 = static_cast<float>(kHi2);
constexpr float kHiF3 = static_cast<float>(kHi3);
constexpr float kHiF[4] = {kHiF0, kHiF1, kHiF2, kHiF3};

// Bit patterns of non-negative doubles and floats order like the values, so
// |HH| is sorted, counted and windowed as integers ("keys").
inline std::uint64_t abs_bits(double s) {
  const double a = std::fabs(s);
  std::uint64_t bits;
  std::memcpy(&bits, &a, sizeof bits);
  return bits;
}

inline double from_bits(std::uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

inline std::uint32_t key_of(float s) {
  const float a = std::fabs(s);
  std::uint32_t bits;
  std::memcpy(&bits, &a, sizeof bits);
  return bits;
}

inline float from_key(std::uint32_t key) {
  float f;
  std::memcpy(&f, &key, sizeof f);
  return f;
}

}  // namespace focusmeter::detail
