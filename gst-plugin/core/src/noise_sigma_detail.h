// Internals of noise_sigma that tests look at (not part of the public API).
// The counters are per thread and only ever grow.
#pragma once

#include <cstddef>

#include "focusmeter/luma_view.h"

namespace focusmeter::detail {

// How many noise_sigma calls on this thread found that the median lay outside
// the window guessed from the sampled rows, and so scanned the frame again
// with an exact one. Tests use it to make sure that path runs.
std::size_t noise_sigma_rescans();

// How many calls computed |HH| in double over the whole frame (the exact
// pass) instead of settling the median with the float screen: flat or
// synthetic frames whose median sits among near-zero residues, frames with
// many near-zero values, and screens whose window missed the median.
std::size_t noise_sigma_exact_passes();

// How many single coefficients the screen recomputed exactly: those screened
// close to the median, and those screened close to zero.
std::size_t noise_sigma_recomputed();

// The derived bound on |screened |HH| - pywt's |HH||, and the largest
// difference over every coefficient of a frame (through the AVX2 or
// portable kernels, as simd_enabled() says).
double noise_sigma_screen_bound();
double noise_sigma_screen_error(const LumaView& luma);

}  // namespace focusmeter::detail
