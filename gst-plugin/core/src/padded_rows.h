// A three-row window over a luma view for 3x3 stencils (Laplacian, Scharr),
// private to the core.
//
// Rows are widened once to int16 and padded with one reflected pixel on each
// side (scipy 'reflect' for a one-pixel reach: d c b a | a b c d, so the pad
// repeats the edge pixel); rows above the top and below the bottom reflect
// the same way. Three slots are reused as a ring - row r lives in slot r % 3
// - so a pass over the frame converts each row exactly once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "focusmeter/luma_view.h"
#include "kernels.h"

namespace focusmeter::detail {

class PaddedRows {
 public:
  // Rows are widened by `kernels`' widen_row (exact on every table).
  PaddedRows(const LumaView& luma, const Kernels& kernels)
      : luma_(luma),
        widen_row_(kernels.widen_row),
        padded_(static_cast<std::size_t>(luma.width()) + 2),
        ring_(3 * padded_) {}

  // Row r (clamped to the frame), widened; index -1 and width() are the pads.
  // Valid until a row three apart is fetched: fetch the lowest row of a
  // window first so that it never evicts a row still in use.
  const std::int16_t* row(int r) {
    const int h = luma_.height();
    r = r < 0 ? 0 : (r >= h ? h - 1 : r);
    const int slot = r % 3;
    std::int16_t* dst = ring_.data() + static_cast<std::size_t>(slot) * padded_;
    if (slot_row_[slot] != r) {
      const std::uint8_t* src = luma_.row(r);
      const int w = luma_.width();
      widen_row_(src, w, dst + 1);
      dst[0] = src[0];
      dst[w + 1] = src[w - 1];
      slot_row_[slot] = r;
    }
    return dst + 1;
  }

 private:
  LumaView luma_;
  void (*widen_row_)(const std::uint8_t*, int, std::int16_t*);
  std::size_t padded_;
  std::vector<std::int16_t> ring_;
  int slot_row_[3] = {-1, -1, -1};
};

}  // namespace focusmeter::detail
