// The screen: |HH| in single precision with a proven error bound, which
// settles pywt's median on ordinary frames while recomputing only a few
// thousand coefficients exactly (noise_screen.cpp has the derivation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "focusmeter/luma_view.h"
#include "kernels.h"
#include "noise_sigma_detail.h"

namespace focusmeter::detail {

// Buffers reused across calls on the same thread (see ExactScratch).
struct ScreenScratch {
  std::vector<float> ftail;
  std::vector<float> fvert;
  std::vector<std::uint32_t> keys;       // one row of screened keys
  std::vector<std::uint32_t> cand_keys;  // kept keys, and
  std::vector<std::uint32_t> cand_pos;   // their positions
  std::vector<std::uint32_t> near_zero;  // positions that may be exact zeros
  std::vector<std::uint32_t> band;       // positions recomputed exactly
  std::vector<double> exact;             // their values inside the window
  std::vector<std::uint32_t> bins;
};

// What the screen settles: sigma, or failing that the exact count of
// non-zero values when it got that far.
struct ScreenOutcome {
  std::optional<double> sigma;
  std::optional<std::size_t> nonzero;
};

ScreenOutcome screened_sigma(const LumaView& luma, ScreenScratch& s, const Kernels& k, NoiseSigmaStats& stats);

// The derivation's bound on |screened |HH| - pywt's |HH||, and the largest
// difference over every coefficient of a frame (tests).
double screen_bound();
double screen_error(const LumaView& luma, const Kernels& k);

}  // namespace focusmeter::detail
