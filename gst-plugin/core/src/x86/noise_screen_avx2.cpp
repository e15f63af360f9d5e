// AVX2 kernels of the screen (noise_screen.cpp has the definition): the same
// IEEE operations in the same order, eight outputs at a time, so they give
// the same screened values (though only the screen's bound matters for the
// result).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "db2.h"
#include "kernels.h"
#include "x86/compress.h"
#include "x86/kernels_avx2.h"
#include "x86/lanes.h"

namespace focusmeter::detail {
namespace {

// Sixteen bytes from p as floats: the even ones and the odd ones. Each
// 16-bit load holds an even byte (low) and the odd byte after it (high).
struct Split8 {
  __m256 even, odd;
};
inline Split8 bytes_to_float16(const std::uint8_t* p) {
  const __m256i pairs = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return {_mm256_cvtepi32_ps(_mm256_and_si256(pairs, _mm256_set1_epi32(0xff))),
          _mm256_cvtepi32_ps(_mm256_srli_epi32(pairs, 8))};
}

inline __m256 taps8(float h0, float h1, __m256 a, __m256 b) {
  const __m256 s = _mm256_mul_ps(_mm256_set1_ps(h0), a);
  return _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(h1), b));
}

// One parity of screen_vertical_portable, eight columns.
inline void vertical8(__m256 ya, __m256 yb, float* tail, float* v) {
  _mm256_storeu_ps(v, _mm256_add_ps(taps8(kHiF0, kHiF1, ya, yb), _mm256_loadu_ps(tail)));
  _mm256_storeu_ps(tail, taps8(kHiF2, kHiF3, ya, yb));
}

// The horizontal taps of the eight outputs c..c+7 (columns 2c+1, 2c, 2c-1,
// 2c-2 of each), loaded; and their screened keys, in order.
struct Taps8 {
  __m256 t0, t1, t2, t3;
};
inline Taps8 load_taps8(const SplitRow& v, int c) {
  return {_mm256_loadu_ps(v.odd + c), _mm256_loadu_ps(v.even + c), _mm256_loadu_ps(v.odd + c - 1),
          _mm256_loadu_ps(v.even + c - 1)};
}

inline __m256i screen8(const Taps8& x) {
  __m256 s = _mm256_mul_ps(_mm256_set1_ps(kHiF0), x.t0);
  s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(kHiF1), x.t1));
  s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(kHiF2), x.t2));
  s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(kHiF3), x.t3));
  return _mm256_and_si256(_mm256_castps_si256(s), _mm256_set1_epi32(INT32_MAX));
}

}  // namespace

void screen_vertical_avx2(const std::uint8_t* a, const std::uint8_t* b, const SplitRow& tail, int w,
                          const SplitRow& v) {
  int x = 0;
  for (; x + 16 <= w; x += 16) {
    const Split8 ya = bytes_to_float16(a + x), yb = bytes_to_float16(b + x);
    const int j = x / 2;
    vertical8(ya.even, yb.even, tail.even + j, v.even + j);
    vertical8(ya.odd, yb.odd, tail.odd + j, v.odd + j);
  }
  if (x == w) return;
  // The last few columns (a focus-map tile's rows end there at every row):
  // through the same vector code on copies padded with zeros, the valid
  // lanes copied back, rather than the portable loop.
  const int rest = w - x, j = x / 2, even = (rest + 1) / 2, odd = rest / 2;
  alignas(16) std::uint8_t pa[16] = {}, pb[16] = {};
  float te[8] = {}, to[8] = {}, ve[8], vo[8];
  for (int i = 0; i < rest; ++i) pa[i] = a[x + i], pb[i] = b[x + i];
  for (int i = 0; i < even; ++i) te[i] = tail.even[j + i];
  for (int i = 0; i < odd; ++i) to[i] = tail.odd[j + i];
  const Split8 ya = bytes_to_float16(pa), yb = bytes_to_float16(pb);
  vertical8(ya.even, yb.even, te, ve);
  vertical8(ya.odd, yb.odd, to, vo);
  for (int i = 0; i < even; ++i) tail.even[j + i] = te[i], v.even[j + i] = ve[i];
  for (int i = 0; i < odd; ++i) tail.odd[j + i] = to[i], v.odd[j + i] = vo[i];
}

void screen_tail_avx2(const std::uint8_t* a, const std::uint8_t* b, int w, const SplitRow& tail) {
  int x = 0;
  for (; x + 16 <= w; x += 16) {
    const Split8 ya = bytes_to_float16(a + x), yb = bytes_to_float16(b + x);
    _mm256_storeu_ps(tail.even + x / 2, taps8(kHiF2, kHiF3, ya.even, yb.even));
    _mm256_storeu_ps(tail.odd + x / 2, taps8(kHiF2, kHiF3, ya.odd, yb.odd));
  }
  if (x == w) return;
  // The last few columns, as in screen_vertical_avx2.
  const int rest = w - x, j = x / 2, even = (rest + 1) / 2, odd = rest / 2;
  alignas(16) std::uint8_t pa[16] = {}, pb[16] = {};
  float te[8], to[8];
  for (int i = 0; i < rest; ++i) pa[i] = a[x + i], pb[i] = b[x + i];
  const Split8 ya = bytes_to_float16(pa), yb = bytes_to_float16(pb);
  _mm256_storeu_ps(te, taps8(kHiF2, kHiF3, ya.even, yb.even));
  _mm256_storeu_ps(to, taps8(kHiF2, kHiF3, ya.odd, yb.odd));
  for (int i = 0; i < even; ++i) tail.even[j + i] = te[i];
  for (int i = 0; i < odd; ++i) tail.odd[j + i] = to[i];
}

void screen_row_avx2(const SplitRow& v, int c, int c1, std::uint32_t* out) {
  for (; c + 8 <= c1; c += 8) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), screen8(load_taps8(v, c)));
  screen_row_portable(v, c, c1, out);
}

// The screen's horizontal pass fused with the tally. Keys are below 2^31, so
// signed 32-bit compares order them. The compress indices are the kept
// lanes, so base + c + index is each kept value's position. The next block's
// taps are loaded before this block's stores: the stores' addresses depend
// on this block's values, and loads issued after them waited (about 10%
// slower at 1080p).
void screen_tally_avx2(const SplitRow& v, int c, int c1, std::uint32_t base, std::uint32_t* out, ScreenTally& t) {
  if (c + 8 <= c1) {
    const __m256i lo = _mm256_set1_epi32(static_cast<std::int32_t>(t.lo));
    const __m256i hi = _mm256_set1_epi32(static_cast<std::int32_t>(t.hi));
    const __m256i near_zero = _mm256_set1_epi32(static_cast<std::int32_t>(t.near_zero_key));
    __m256i below = _mm256_setzero_si256();  // per lane, counted by subtracting the all-ones masks
    std::uint32_t* keys = t.keys + t.kept;
    std::uint32_t* pos = t.pos + t.kept;
    const int start = c;
    Taps8 next = load_taps8(v, c);
    for (; c + 8 <= c1; c += 8) {
      const Taps8 taps = next;
      if (c + 16 <= c1) next = load_taps8(v, c + 8);
      const __m256i k = screen8(taps);
      const __m256i is_below = _mm256_cmpgt_epi32(lo, k);
      const __m256i outside = _mm256_or_si256(is_below, _mm256_cmpgt_epi32(k, hi));
      below = _mm256_sub_epi32(below, is_below);
      const int m = _mm256_movemask_ps(_mm256_castsi256_ps(outside));
      const __m256i lanes = _mm256_load_si256(reinterpret_cast<const __m256i*>(x86::kCompress8x32.idx[m]));
      const std::uint32_t at = base + static_cast<std::uint32_t>(c);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(keys), _mm256_permutevar8x32_epi32(k, lanes));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(pos),
                          _mm256_add_epi32(lanes, _mm256_set1_epi32(static_cast<std::int32_t>(at))));
      keys += x86::kCompress8x32.count[m];
      pos += x86::kCompress8x32.count[m];
      const int far = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(k, near_zero)));
      if (__builtin_expect(far != 0xff, 0)) note_near_zero(~far & 0xff, at, *t.near_zero);
    }
    t.below += static_cast<std::size_t>(x86::hsum_epi32(below));
    t.kept = static_cast<std::size_t>(keys - t.keys);
    t.total += static_cast<std::size_t>(c - start);
  }
  // The rest of the row.
  screen_row_portable(v, c, c1, out);
  screen_tally_portable(out, base, c, c1, t);
}

// Eight keys at a time (keys and bounds are below 2^31).
std::size_t split_band_avx2(const ScreenTally& t, std::uint32_t lo, std::uint32_t hi, std::size_t& below,
                            std::uint32_t* band) {
  const __m256i vlo = _mm256_set1_epi32(static_cast<std::int32_t>(lo));
  const __m256i vhi = _mm256_set1_epi32(static_cast<std::int32_t>(hi));
  __m256i count = _mm256_setzero_si256();
  std::size_t i = 0, m = 0;
  for (; i + 8 <= t.kept; i += 8) {
    const __m256i k = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.keys + i));
    const __m256i is_below = _mm256_cmpgt_epi32(vlo, k);
    const __m256i outside = _mm256_or_si256(is_below, _mm256_cmpgt_epi32(k, vhi));
    count = _mm256_sub_epi32(count, is_below);
    const int mask = _mm256_movemask_ps(_mm256_castsi256_ps(outside));
    const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(x86::kCompress8x32.idx[mask]));
    const __m256i p = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.pos + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(band + m), _mm256_permutevar8x32_epi32(p, perm));
    m += x86::kCompress8x32.count[mask];
  }
  below += static_cast<std::size_t>(x86::hsum_epi32(count));
  return split_band_portable(t, i, lo, hi, below, band, m);
}

}  // namespace focusmeter::detail
