// The no-reference blur measure of Crete, Dolmiere, Ladret and Nicolas,
// "The blur effect: perception and estimation with a new no-reference
// perceptual blur metric" (SPIE 2007), as skimage.measure.blur_effect
// computes it (11-tap box re-blur), but with the paper's neighbour
// differences |I(x) - I(x-1)| rather than skimage's Sobel.
//
// Re-blurring a sharp image changes it a lot; re-blurring a blurred one
// barely does. Per axis: D = |I(x) - I(x-1)|, Db the same on the re-blurred
// image, V = max(0, D - Db), b = (sum D - sum V) / sum D; the result is the
// larger of the two axes. The box sum of 11 pixels moves by
// I(x+5) - I(x-6) from x-1 to x, so 11*Db needs no blurred image at all and
// everything stays in exact integers. Borders reflect as scipy.ndimage does.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "focusmeter/features.h"
#include "kernels.h"
#include "reflect.h"

namespace focusmeter {
namespace {

using detail::reflect;

struct Sums {
  std::int64_t d = 0;  // 11 * sum D
  std::int64_t v = 0;  // 11 * sum V
};

double ratio(const Sums& s) { return s.d == 0 ? 1.0 : static_cast<double>(s.d - s.v) / static_cast<double>(s.d); }

}  // namespace

double blur_effect(const LumaView& luma) {
  const int w = luma.width();
  const int h = luma.height();
  if (w < 2 && h < 2) return 1.0;

  // The steps are kernels.h's blur_step (row_loops.inc).
  const auto step = detail::kernels().blur_step;
  // Vertical: whole rows at a time.
  Sums vert;
  for (int y = 1; y < h; ++y)
    step(luma.row(y), luma.row(y - 1), luma.row(reflect(y + 5, h)), luma.row(reflect(y - 6, h)), w, vert.d, vert.v);

  // Horizontal: each row padded with its reflection so that the shifted
  // reads are plain offsets.
  Sums horiz;
  if (w >= 2) {
    std::vector<std::uint8_t> pad(static_cast<std::size_t>(w) + 11);
    for (int y = 0; y < h; ++y) {
      const std::uint8_t* src = luma.row(y);
      // Only the eleven pads need reflect(); the row itself is copied.
      for (int x = -6; x < 0; ++x) pad[x + 6] = src[reflect(x, w)];
      std::memcpy(pad.data() + 6, src, static_cast<std::size_t>(w));
      for (int x = w; x < w + 5; ++x) pad[x + 6] = src[reflect(x, w)];
      const std::uint8_t* p = pad.data() + 6;  // p[x] = I(x) for x in [-6, w+5)
      step(p + 1, p, p + 6, p - 5, w - 1, horiz.d, horiz.v);
    }
  }
  return std::max(h >= 2 ? ratio(vert) : 0.0, w >= 2 ? ratio(horiz) : 0.0);
}

}  // namespace focusmeter
