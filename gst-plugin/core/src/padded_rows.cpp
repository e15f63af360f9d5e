#include "padded_rows.h"

#include "simd.h"

namespace focusmeter::detail {

FOCUSMETER_TARGET_CLONES
void widen_row(const std::uint8_t* src, int w, std::int16_t* dst) {
  for (int x = 0; x < w; ++x) dst[x] = src[x];
}

}  // namespace focusmeter::detail
