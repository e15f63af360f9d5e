// The AVX2 kernel of the multi-scale features' 2x2 box average (kernels.h's
// halve_row; the definition is the loop of row_loops.inc), 32 outputs at a
// time. Integer arithmetic without overflow: the portable results exactly.
//
// vpmaddubsw of the bytes with ones adds each horizontal pair in a 16-bit
// lane (at most 510), the two rows' pairs add to at most 1020, and (s + 2)
// >> 2 fits a byte again. A row narrower than one vector goes to the
// portable kernel; a wider one ends with a vector that overlaps the one
// before it (each output depends on its own pixels only).

#include <immintrin.h>

#include <cstdint>

#include "kernels.h"
#include "x86/kernels_avx2.h"

namespace focusmeter::detail {
namespace {

constexpr int kStep = 32;

inline __m256i load32(const std::uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// Outputs x .. x+15 as 16-bit lanes, from the 32 pixels from 2x of each row.
inline __m256i halve16(const std::uint8_t* a, const std::uint8_t* b, int x) {
  const __m256i ones = _mm256_set1_epi8(1);
  const __m256i sum =
      _mm256_add_epi16(_mm256_maddubs_epi16(load32(a + 2 * x), ones), _mm256_maddubs_epi16(load32(b + 2 * x), ones));
  return _mm256_srli_epi16(_mm256_add_epi16(sum, _mm256_set1_epi16(2)), 2);
}

inline void halve32(const std::uint8_t* a, const std::uint8_t* b, int x, std::uint8_t* out) {
  // vpackuswb packs within 128-bit halves (outputs 0-7, 16-23, 8-15,
  // 24-31); vpermq puts the quarters back in order.
  const __m256i packed = _mm256_packus_epi16(halve16(a, b, x), halve16(a, b, x + 16));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + x), _mm256_permute4x64_epi64(packed, 0xD8));
}

}  // namespace

void halve_row_avx2(const std::uint8_t* a, const std::uint8_t* b, int w2, std::uint8_t* out) {
  if (w2 < kStep) return portable_kernels().halve_row(a, b, w2, out);
  int x = 0;
  for (; x + kStep <= w2; x += kStep) halve32(a, b, x, out);
  if (x < w2) halve32(a, b, w2 - kStep, out);
}

}  // namespace focusmeter::detail
