// The AVX2 kernel of gradient_stats (gradient_stats.cpp has the definition
// and the portable loop; kernels.h the rules for this directory).
//
// The same sums, 16 pixels at a time in 16-bit lanes (every intermediate
// fits: |lap| <= 1020, |gx|, |gy| <= 4080), and the magnitudes summed in the
// order gradient_stats.cpp defines, so both paths give the same bits.
//
// Each frame row is read once. The 3x3 Scharr kernels are separable -
// gx = [3,10,3] down * [-1,0,1] across, gy the transpose - so per frame row r
// the horizontal difference hd = r[x+1] - r[x-1] and smoothing
// hs = 3 (r[x-1] + r[x+1]) + 10 r[x] are computed once and shared by the
// three output rows that need them: gx(y) = 3 hd(y-1) + 10 hd(y) + 3 hd(y+1),
// gy(y) = hs(y+1) - hs(y-1). Likewise lap(y) = part(y) - r(y+1) with
// part(y) = 4 r(y) - r(y)[x-1] - r(y)[x+1] - r(y-1). Output row y reads the
// 8-bit row y+1 and derives these for it, reading those of rows y-1 and y
// from a three-row ring.
//
// The ring's loads and stores are 32-byte aligned: on Zen 3 a 32-byte
// access that straddles a 32-byte boundary costs two load slots, and
// unaligned int16 rows made the old kernel load-bound.
//
// The ring is 16-column chunks wide; the columns past the frame's right edge
// hold zeros, which add nothing to any sum (lap = 0 cannot raise the
// maximum, which is never negative).

#include <immintrin.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "kernels.h"
#include "x86/kernels_avx2.h"

namespace focusmeter::detail {
namespace {

int min_int(int a, int b) { return a < b ? a : b; }
int max_int(int a, int b) { return a > b ? a : b; }

// One 16-column chunk of a frame row's derived values. The row's own pixels
// are not kept: output row y widens them again from the frame (read one
// pass earlier, so in cache), which is cheaper than a 32-byte store.
struct alignas(32) Chunk {
  std::int16_t hd[16];
  std::int16_t hs[16];
  std::int16_t part[16];
};

// Three rows of chunks; frame row r lives in slot r % 3.
class ChunkRing {
 public:
  explicit ChunkRing(int chunks)
      : chunks_(static_cast<std::size_t>(chunks)), buf_(std::make_unique<Chunk[]>(3 * chunks_)) {}
  Chunk* slot(int r) { return buf_.get() + static_cast<std::size_t>(r % 3) * chunks_; }

 private:
  // Not std::vector: its members call std:: helpers that are not specific to
  // Chunk, which would be compiled here with -mavx2 (kernels.h).
  std::size_t chunks_;
  std::unique_ptr<Chunk[]> buf_;
};

#define FM_LOAD(p) _mm256_load_si256(reinterpret_cast<const __m256i*>(p))
#define FM_STORE(p, v) _mm256_store_si256(reinterpret_cast<__m256i*>(p), v)

// Pixels x-1, x and x+1 of a frame row, for the 16 columns from x.
struct Taps {
  __m256i left, centre, right;
};

inline __m128i bytes16(const std::uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

inline __m256i widen(__m128i bytes) { return _mm256_cvtepu8_epi16(bytes); }

inline __m256i widen16(const std::uint8_t* p) { return widen(bytes16(p)); }

// From 18 pixels at `p`, the first being that left of column x.
inline Taps taps_from(const std::uint8_t* p) { return {widen16(p), widen16(p + 1), widen16(p + 2)}; }

// The first and last chunks of a row reach past it: they load 16 pixels
// inside the row and move them into place with a byte
// shuffle, repeating the edge pixel for the reflected pad and zeroing the
// columns >= w (pshufb writes 0 where the control byte has its top bit set).
// Needs w > 16, so that the two are different chunks.
struct EdgeShuffles {
  __m128i first_left;  // pixel max(j - 1, 0) from pixels 0..15
  __m128i last;        // pixel x0 + j, or 0, from pixels w-16..w-1 (x0: the last chunk's column)
  __m128i last_right;  // pixel min(x0 + j + 1, w - 1), or 0, from the same
};

EdgeShuffles edge_shuffles(int w) {
  // In the last chunk, n = w - x0 columns are inside; column j takes byte
  // 16 - n + j of the 16 loaded ending at pixel w-1 (or at w-2 for the left
  // taps, which need the pixel before).
  static const std::int8_t kShift[32] = {0,    1,    2,    3,    4,    5,    6,    7,    8,    9,    10,
                                         11,   12,   13,   14,   15,   -128, -128, -128, -128, -128, -128,
                                         -128, -128, -128, -128, -128, -128, -128, -128, -128, -128};
  static const std::int8_t kShiftRight[32] = {1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,
                                              12,   13,   14,   15,   15,   -128, -128, -128, -128, -128, -128,
                                              -128, -128, -128, -128, -128, -128, -128, -128, -128, -128};
  const int n = w - (w - 1) / 16 * 16;
  const auto at = [](const std::int8_t* t) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(t)); };
  return {_mm_setr_epi8(0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14), at(kShift + 16 - n),
          at(kShiftRight + 16 - n)};
}

inline Taps first_taps(const std::uint8_t* row, const EdgeShuffles& e) {
  const __m128i first = bytes16(row);
  return {widen(_mm_shuffle_epi8(first, e.first_left)), widen(first), widen(bytes16(row + 1))};
}

inline Taps last_taps(const std::uint8_t* row, int w, const EdgeShuffles& e) {
  const __m128i tail = bytes16(row + w - 16);
  return {widen(_mm_shuffle_epi8(bytes16(row + w - 17), e.last)), widen(_mm_shuffle_epi8(tail, e.last)),
          widen(_mm_shuffle_epi8(tail, e.last_right))};
}

// The multipliers 3 and 10 for vpmullw. GCC turns a multiplication by a
// known constant into shifts and adds, which here costs more than the
// multiply (Zen 3 has two multiply pipes and the kernel is short of ALU
// slots: without the empty asm below, the bench's 1080p gradient pass took
// 0.66 ms instead of 0.57); hiding the value from the optimiser keeps
// vpmullw.
struct Scharr {
  __m256i k3, k10;
};

inline Scharr scharr_weights() {
  Scharr s{_mm256_set1_epi16(3), _mm256_set1_epi16(10)};
  asm("" : "+x"(s.k3), "+x"(s.k10));
  return s;
}

// Derives chunk `out` of a frame row from its taps and the luma of the row
// above; returns its hd and hs for immediate use.
struct Derived {
  __m256i hd, hs;
};

inline Derived derive(const Taps& t, __m256i luma_above, const Scharr& k, Chunk& out) {
  const __m256i sides = _mm256_add_epi16(t.left, t.right);
  const Derived d{_mm256_sub_epi16(t.right, t.left),
                  _mm256_add_epi16(_mm256_mullo_epi16(sides, k.k3), _mm256_mullo_epi16(t.centre, k.k10))};
  const __m256i part = _mm256_sub_epi16(_mm256_sub_epi16(_mm256_slli_epi16(t.centre, 2), sides), luma_above);
  FM_STORE(out.hd, d.hd);
  FM_STORE(out.hs, d.hs);
  FM_STORE(out.part, part);
  return d;
}

// Frame-wide accumulators, 64-bit (float sums in double) lanes.
struct Accumulators {
  __m256i lap_sq, luma_sum, luma_sq, grad_sq;
  __m256d grad_mag;
  __m256i lap_max;  // 16-bit lanes
};

inline __m256i add_widened_epi32(__m256i acc, __m256i v) {
  return _mm256_add_epi64(acc, _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(v)),
                                                _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1))));
}

inline __m256d add_widened_ps(__m256d acc, __m256 v) {
  return _mm256_add_pd(
      acc, _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
}

inline __m256i add_widened_epu32(__m256i acc, __m256i v) {
  return _mm256_add_epi64(acc, _mm256_add_epi64(_mm256_cvtepu32_epi64(_mm256_castsi256_si128(v)),
                                                _mm256_cvtepu32_epi64(_mm256_extracti128_si256(v, 1))));
}

// Narrow accumulators are widened every kFlush chunks (once per row up to
// 2048 pixels wide), before any can overflow: per chunk an unsigned 32-bit
// gradient lane gains at most 33,292,800 (one pixel's gx^2 + gy^2: the lo
// and hi halves of vpmaddwd's output go to separate accumulators for this),
// a 32-bit lap^2 or luma^2 lane 2 * 1,040,400 or 2 * 65,025, and a 16-bit
// luma lane 255; times 128 all fit. The float lanes sum 128 magnitudes
// each before moving to double. Widening costs a few dozen instructions,
// so flushing every 32 chunks was measurably slower.
constexpr int kFlush = 128;

// Sums over at most kFlush chunks.
struct Narrow {
  __m256i lap_sq, luma_sq, grad_sq_lo, grad_sq_hi;  // 32-bit lanes
  __m256i luma_sum;                                 // 16-bit lanes
  __m256 grad_mag_lo, grad_mag_hi;
};

inline Narrow narrow_zero() {
  return {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
          _mm256_setzero_si256(), _mm256_setzero_ps(),    _mm256_setzero_ps()};
}

inline void flush(const Narrow& n, Accumulators& acc) {
  acc.lap_sq = add_widened_epi32(acc.lap_sq, n.lap_sq);
  acc.luma_sum = add_widened_epi32(acc.luma_sum, _mm256_madd_epi16(n.luma_sum, _mm256_set1_epi16(1)));
  acc.luma_sq = add_widened_epi32(acc.luma_sq, n.luma_sq);
  acc.grad_sq = add_widened_epu32(add_widened_epu32(acc.grad_sq, n.grad_sq_lo), n.grad_sq_hi);
  acc.grad_mag = add_widened_ps(add_widened_ps(acc.grad_mag, n.grad_mag_lo), n.grad_mag_hi);
}

// The two vsqrtps per chunk take about 5 cycles each on Zen 3 and bound
// this loop at about 0.4 ms per 1080p frame; they stay, correctly rounded as
// in the portable loop: vrsqrtps with a Newton step measured slower here
// (its multiplies compete with the integer work) and biases every magnitude
// low, which the Scharr variance's cancellation would amplify.
//
// One chunk of output row y: `t` are the taps of frame row y+1, `luma` the
// pixels of row y, `up` and `mid` the chunks of rows y-1 and y; derives
// `down`, that of row y+1.
inline void chunk_sums(const Taps& t, __m256i luma, const Chunk& up, const Chunk& mid, Chunk& down, const Scharr& k,
                       Narrow& n, __m256i& lap_max) {
  const Derived d = derive(t, luma, k, down);
  const __m256i lap = _mm256_sub_epi16(FM_LOAD(mid.part), t.centre);
  const __m256i gx = _mm256_add_epi16(_mm256_mullo_epi16(_mm256_add_epi16(FM_LOAD(up.hd), d.hd), k.k3),
                                      _mm256_mullo_epi16(FM_LOAD(mid.hd), k.k10));
  const __m256i gy = _mm256_sub_epi16(d.hs, FM_LOAD(up.hs));
  const __m256i lo = _mm256_unpacklo_epi16(gx, gy);
  const __m256i hi = _mm256_unpackhi_epi16(gx, gy);
  const __m256i g2lo = _mm256_madd_epi16(lo, lo);  // gx^2 + gy^2 per pixel
  const __m256i g2hi = _mm256_madd_epi16(hi, hi);
  n.grad_sq_lo = _mm256_add_epi32(n.grad_sq_lo, g2lo);
  n.grad_sq_hi = _mm256_add_epi32(n.grad_sq_hi, g2hi);
  n.grad_mag_lo = _mm256_add_ps(n.grad_mag_lo, _mm256_sqrt_ps(_mm256_cvtepi32_ps(g2lo)));
  n.grad_mag_hi = _mm256_add_ps(n.grad_mag_hi, _mm256_sqrt_ps(_mm256_cvtepi32_ps(g2hi)));
  n.lap_sq = _mm256_add_epi32(n.lap_sq, _mm256_madd_epi16(lap, lap));
  lap_max = _mm256_max_epi16(lap_max, lap);
  n.luma_sum = _mm256_add_epi16(n.luma_sum, luma);
  n.luma_sq = _mm256_add_epi32(n.luma_sq, _mm256_madd_epi16(luma, luma));
}

// Output row y: `at` and `below` are the frame rows y and y+1 (clamped),
// `up`, `mid` the ring slots of rows y-1 and y (clamped); writes the slot
// `down` of row y+1. The edge chunks are peeled off so that the loop over
// the others is straight.
void row_sums_avx2(const std::uint8_t* at, const std::uint8_t* below, int w, const EdgeShuffles& edges, const Chunk* up,
                   const Chunk* mid, Chunk* down, int chunks, const Scharr& k, Accumulators& acc) {
  const int last = chunks - 1;  // > 0: w > 16
  for (int block = 0; block < chunks; block += kFlush) {
    Narrow n = narrow_zero();
    int i = block;
    if (i == 0) {
      chunk_sums(first_taps(below, edges), widen16(at), up[0], mid[0], down[0], k, n, acc.lap_max);
      ++i;
    }
    const int end = min_int(block + kFlush, last);
    for (; i < end; ++i)
      chunk_sums(taps_from(below + 16 * i - 1), widen16(at + 16 * i), up[i], mid[i], down[i], k, n, acc.lap_max);
    if (block + kFlush >= chunks)
      chunk_sums(last_taps(below, w, edges), last_taps(at, w, edges).centre, up[last], mid[last], down[last], k, n,
                 acc.lap_max);
    flush(n, acc);
  }
}

inline std::int64_t hsum_epi64(__m256i v) {
  alignas(32) std::int64_t t[4];
  FM_STORE(t, v);
  return (t[0] + t[1]) + (t[2] + t[3]);
}

}  // namespace

void frame_sums_avx2(const Frame& frame, FrameSums& out) {
  const int w = frame.width, h = frame.height;
  if (w <= 16) return frame_sums_portable(frame, out);  // see EdgeShuffles
  const auto row = [&](int y) { return frame.data + static_cast<std::ptrdiff_t>(y) * frame.stride; };
  const int chunks = (w + 15) / 16;
  const Scharr k = scharr_weights();
  const EdgeShuffles edges = edge_shuffles(w);
  ChunkRing ring(chunks);
  // Row 0, whose row above is itself (reflected).
  Chunk* top = ring.slot(0);
  for (int i = 0; i < chunks; ++i) {
    const Taps t = i == 0 ? first_taps(row(0), edges)
                          : (i == chunks - 1 ? last_taps(row(0), w, edges) : taps_from(row(0) + 16 * i - 1));
    derive(t, t.centre, k, top[i]);
  }
  Accumulators acc{_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                   _mm256_setzero_si256(), _mm256_setzero_pd(),    _mm256_set1_epi16(INT16_MIN)};
  for (int y = 0; y < h; ++y)
    row_sums_avx2(row(y), row(min_int(y + 1, h - 1)), w, edges, ring.slot(max_int(y - 1, 0)), ring.slot(y),
                  ring.slot(y + 1), chunks, k, acc);

  out.lap_sq += hsum_epi64(acc.lap_sq);
  out.luma_sum += hsum_epi64(acc.luma_sum);
  out.luma_sq += hsum_epi64(acc.luma_sq);
  out.grad_sq += hsum_epi64(acc.grad_sq);
  alignas(32) double mags[4];
  _mm256_store_pd(mags, acc.grad_mag);
  out.grad_mag += (mags[0] + mags[1]) + (mags[2] + mags[3]);
  alignas(32) std::int16_t maxes[16];
  FM_STORE(maxes, acc.lap_max);
  for (std::int16_t v : maxes) out.lap_max = max_int(out.lap_max, v);
}

}  // namespace focusmeter::detail
