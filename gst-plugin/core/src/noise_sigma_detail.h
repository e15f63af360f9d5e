// Internals of noise_sigma that tests look at (not part of the public API).
#pragma once

#include <cstddef>

namespace focusmeter::detail {

// How many noise_sigma calls on this thread found that the median lay outside
// the window guessed from the sampled rows, and so scanned the frame again
// with an exact one. Tests use it to make sure that path runs.
std::size_t noise_sigma_rescans();

}  // namespace focusmeter::detail
