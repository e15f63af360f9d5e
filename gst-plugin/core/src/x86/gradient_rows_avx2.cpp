// The AVX2 kernel that fills the gradient planes (frame_planes.h):
// lap_and_mag, 16 pixels at a time. The definition is the plain loop of
// row_loops.inc; everything here is integer arithmetic that cannot overflow
// its lanes, so the results are the portable ones exactly. (widen_row, which
// feeds it, stays the compiler's: written by hand it was no faster.)
//
// A row narrower than one vector goes to the portable kernel; a wider row
// whose width is not a multiple of 16 ends with one vector that overlaps the
// one before it: each output depends on its own position only, so writing
// a pixel twice writes the same value twice, and no load reaches past the
// row (or its one-pixel pads).

#include <immintrin.h>

#include <cstdint>

#include "kernels.h"
#include "x86/kernels_avx2.h"

namespace focusmeter::detail {
namespace {

constexpr int kStep = 16;

inline __m256i load16(const std::int16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// Pixels x .. x+15 of lap_and_mag. |L| <= 1020 and |gx|, |gy| <= 4080, and
// every partial sum below stays within those bounds' sums (at most 3 * 510 +
// 10 * 255), so 16-bit lanes hold them; gx^2 + gy^2 <= 2 * 4080^2 < 2^31 is
// what vpmaddwd gives for an interleaved (gx, gy) pair.
inline void lap_and_mag16(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int x, std::int16_t* lap,
                          std::uint32_t* mag) {
  const __m256i ul = load16(u + x - 1), uc = load16(u + x), ur = load16(u + x + 1);
  const __m256i ml = load16(m + x - 1), mc = load16(m + x), mr = load16(m + x + 1);
  const __m256i dl = load16(d + x - 1), dc = load16(d + x), dr = load16(d + x + 1);

  const __m256i l =
      _mm256_sub_epi16(_mm256_sub_epi16(_mm256_slli_epi16(mc, 2), _mm256_add_epi16(ml, mr)), _mm256_add_epi16(uc, dc));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lap + x), l);

  // gx = 3 (u and d across) + 10 (m across); gy = 3 (left and right down) +
  // 10 (centre down). x3 and x10 as shifts and adds: exact, like the
  // multiplies.
  const __m256i side_x = _mm256_add_epi16(_mm256_sub_epi16(ur, ul), _mm256_sub_epi16(dr, dl));
  const __m256i mid_x = _mm256_sub_epi16(mr, ml);
  const __m256i side_y = _mm256_add_epi16(_mm256_sub_epi16(dl, ul), _mm256_sub_epi16(dr, ur));
  const __m256i mid_y = _mm256_sub_epi16(dc, uc);
  const auto times3 = [](__m256i v) { return _mm256_add_epi16(_mm256_slli_epi16(v, 1), v); };
  const auto times10 = [](__m256i v) { return _mm256_add_epi16(_mm256_slli_epi16(v, 3), _mm256_slli_epi16(v, 1)); };
  __m256i gx = _mm256_add_epi16(times3(side_x), times10(mid_x));
  __m256i gy = _mm256_add_epi16(times3(side_y), times10(mid_y));

  // vpunpck{l,h}wd interleave within each 128-bit half; ordering the 64-bit
  // quarters 0, 2, 1, 3 first makes the low interleave pixels 0..7 and the
  // high one pixels 8..15.
  gx = _mm256_permute4x64_epi64(gx, 0xD8);
  gy = _mm256_permute4x64_epi64(gy, 0xD8);
  const __m256i lo = _mm256_unpacklo_epi16(gx, gy);
  const __m256i hi = _mm256_unpackhi_epi16(gx, gy);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(mag + x), _mm256_madd_epi16(lo, lo));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(mag + x + 8), _mm256_madd_epi16(hi, hi));
}

}  // namespace

void lap_and_mag_avx2(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int w, std::int16_t* lap,
                      std::uint32_t* mag) {
  if (w < kStep) return portable_kernels().lap_and_mag(u, m, d, w, lap, mag);
  int x = 0;
  for (; x + kStep <= w; x += kStep) lap_and_mag16(u, m, d, x, lap, mag);
  if (x < w) lap_and_mag16(u, m, d, w - kStep, lap, mag);
}

}  // namespace focusmeter::detail
