// Internals of noise_sigma that tests look at (not part of the public API).
#pragma once

#include <cstddef>

#include "focusmeter/luma_view.h"

namespace focusmeter::detail {

// Which paths one noise_sigma call took, counted per call into a struct the
// caller passes (never in the inner loops: counts are taken once per pass).
struct NoiseSigmaStats {
  // The median lay outside the window guessed from the sampled rows, so the
  // frame was scanned again with an exact one. Tests use it to make sure
  // that path runs.
  std::size_t rescans = 0;
  // |HH| was computed in double over the whole frame (the exact pass)
  // instead of settling the median with the float screen: flat or synthetic
  // frames whose median sits among near-zero residues, frames with many
  // near-zero values, and screens whose window missed the median.
  std::size_t exact_passes = 0;
  // Single coefficients the screen recomputed exactly: those screened close
  // to the median, and those screened close to zero.
  std::size_t recomputed = 0;

  NoiseSigmaStats& operator+=(const NoiseSigmaStats& o) {
    rescans += o.rescans;
    exact_passes += o.exact_passes;
    recomputed += o.recomputed;
    return *this;
  }
};

// noise_sigma, adding the paths it took to `stats`.
double noise_sigma(const LumaView& luma, NoiseSigmaStats& stats);

// The derived bound on |screened |HH| - pywt's |HH||, and the largest
// difference over every coefficient of a frame (through the kernel table in
// use, see kernels.h).
double noise_sigma_screen_bound();
double noise_sigma_screen_error(const LumaView& luma);

}  // namespace focusmeter::detail
