// Tables for compressing vector lanes (AVX2 has no compress instruction):
// for each mask of lanes to drop, the vpermd indices that move the other
// lanes to the front, and how many they are. constexpr, so each file that
// includes this gets them in read-only data with no start-up code.
#pragma once

#include <cstdint>

namespace focusmeter::detail::x86 {

// Four 64-bit lanes (as pairs of 32-bit indices).
struct CompressTable4x64 {
  alignas(32) std::int32_t idx[16][8];
  std::uint8_t count[16];
  constexpr CompressTable4x64() : idx(), count() {
    for (int m = 0; m < 16; ++m) {
      int n = 0;
      for (int lane = 0; lane < 4; ++lane)
        if (!(m & (1 << lane))) {
          idx[m][2 * n] = 2 * lane;
          idx[m][2 * n + 1] = 2 * lane + 1;
          ++n;
        }
      count[m] = static_cast<std::uint8_t>(n);
    }
  }
};
constexpr CompressTable4x64 kCompress4x64;

// Eight 32-bit lanes.
struct CompressTable8x32 {
  alignas(32) std::int32_t idx[256][8];
  std::uint8_t count[256];
  constexpr CompressTable8x32() : idx(), count() {
    for (int m = 0; m < 256; ++m) {
      int n = 0;
      for (int lane = 0; lane < 8; ++lane)
        if (!(m & (1 << lane))) idx[m][n++] = lane;
      count[m] = static_cast<std::uint8_t>(n);
    }
  }
};
constexpr CompressTable8x32 kCompress8x32;

}  // namespace focusmeter::detail::x86
