// Gaussian noise level, as skimage.restoration.estimate_sigma (0.19) gives it:
// a one-level 2-D db2 wavelet transform (pywt.dwtn, mode 'symmetric'), the
// diagonal detail band HH with exact zeros dropped, and
//   sigma = median(|HH|) / 0.6744897501960817   (0 when HH is all zeros).
//
// Exactness. The result is pywt's, bit for bit: every |HH| that can decide
// the median is computed in double precision with pywt's own order of
// operations (axis 0 first, taps summed in filter order, input scaled as
// img_as_float does: y * (1/255)), and the median is an exact selection.
// Bit-exactness matters beyond the last digit: pywt keeps tiny non-zero
// residues in flat regions and drops exact zeros, which moves the median's
// rank.
//
// Speed. HH (half a million values at 1080p) is never stored, and on
// ordinary frames most of it is never computed in double either:
//  - The screen computes |HH| in single precision (eight AVX2 lanes instead
//    of four), with a proven bound on how far a screened value can lie from
//    pywt's double (see "The screen" below).
//  - A cheap first pass over a sample of screened rows guesses a window of
//    values that holds the median; the full screening pass counts the values
//    below the window and keeps the ones inside it (about a tenth).
//  - The screened median pins pywt's median to within the bound. Only the
//    coefficients screened that close to it (a few thousand) are recomputed
//    exactly, from the bytes, and the median is selected among those. So are
//    the few screened so close to zero that they might be exact zeros.
// When the screen cannot decide cheaply (the median among near-zero
// residues, as on flat or synthetic images; many near-zero values; a sample
// unlike the rest of the frame), the exact pass runs: the same window scheme
// on |HH| computed in double throughout, the original method. Either way the
// result never depends on the screen or on the sample, only the time does.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "focusmeter/features.h"
#include "noise_sigma_detail.h"
#include "simd.h"

#if FOCUSMETER_X86
#include <immintrin.h>
#endif

namespace focusmeter {
namespace {

// pywt.Wavelet('db2').dec_hi, in filter order.
constexpr double kHi0 = -0.48296291314453416;
constexpr double kHi1 = 0.8365163037378079;
constexpr double kHi2 = -0.2241438680420134;
constexpr double kHi3 = -0.12940952255126037;
constexpr double kHi[4] = {kHi0, kHi1, kHi2, kHi3};
constexpr double kInv255 = 1.0 / 255.0;
constexpr double kMadToSigma = 0.6744897501960817;  // scipy.stats.norm.ppf(0.75)

thread_local std::size_t t_rescans = 0;
thread_local std::size_t t_exact_passes = 0;
thread_local std::size_t t_recomputed = 0;

// Half-sample symmetric extension (pywt 'symmetric'): ... b a | a b ... y z | z y ...
int symmetric(int i, int n) {
  const int period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

// symmetric() without the division for the usual index inside the range.
int reflect(int i, int n) { return i >= 0 && i < n ? i : symmetric(i, n); }

std::uint64_t abs_bits(double s) {
  const double a = std::fabs(s);
  std::uint64_t bits;
  std::memcpy(&bits, &a, sizeof bits);
  return bits;
}

double from_bits(std::uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

#if FOCUSMETER_X86
bool use_avx2() { return simd_enabled() && cpu_has_avx2(); }
#endif

// ---------------------------------------------------------------------------
// Row kernels of the exact pass. Each portable loop is the definition; the AVX2 kernel does the
// same IEEE operations in the same order on four columns at a time, handles
// a prefix of the row and returns where it stopped.

// Source row as img_as_float gives it: y * (1/255) in double.
void to_double_portable(const std::uint8_t* src, int x, int w, double* dst) {
  for (; x < w; ++x) dst[x] = static_cast<double>(src[x]) * kInv255;
}

// Vertical high-pass of one output row, in natural column order: the four
// source rows in filter order (rows 2r+1, 2r, 2r-1, 2r-2 after extension).
void vertical_portable(const double* r0, const double* r1, const double* r2, const double* r3, int x, int w,
                       double* v) {
  for (; x < w; ++x) {
    double s = kHi0 * r0[x];
    s += kHi1 * r1[x];
    s += kHi2 * r2[x];
    s += kHi3 * r3[x];
    v[x] = s;
  }
}

// Horizontal high-pass for the interior outputs c in [c, c1), whose taps
// 2c+1-j all fall inside the row; writes the |HH| bit patterns (monotone in
// the value for non-negative doubles, so they sort and compare as integers).
void horizontal_portable(const double* v, int c, int c1, std::uint64_t* out) {
  for (; c < c1; ++c) {
    double s = kHi0 * v[2 * c + 1];
    s += kHi1 * v[2 * c];
    s += kHi2 * v[2 * c - 1];
    s += kHi3 * v[2 * c - 2];
    out[c] = abs_bits(s);
  }
}

#if FOCUSMETER_X86
__attribute__((target("avx2"))) int to_double_avx2(const std::uint8_t* src, int w, double* dst) {
  const __m256d k = _mm256_set1_pd(kInv255);
  int x = 0;
#pragma GCC unroll 2
  for (; x + 8 <= w; x += 8) {
    const __m256i y = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + x)));
    const __m256d lo = _mm256_cvtepi32_pd(_mm256_castsi256_si128(y));
    const __m256d hi = _mm256_cvtepi32_pd(_mm256_extracti128_si256(y, 1));
    _mm256_storeu_pd(dst + x, _mm256_mul_pd(lo, k));
    _mm256_storeu_pd(dst + x + 4, _mm256_mul_pd(hi, k));
  }
  return x;
}

__attribute__((target("avx2"))) int vertical_avx2(const double* r0, const double* r1, const double* r2,
                                                   const double* r3, int w, double* v) {
  const __m256d h0 = _mm256_set1_pd(kHi0), h1 = _mm256_set1_pd(kHi1);
  const __m256d h2 = _mm256_set1_pd(kHi2), h3 = _mm256_set1_pd(kHi3);
  int x = 0;
#pragma GCC unroll 2
  for (; x + 4 <= w; x += 4) {
    __m256d s = _mm256_mul_pd(h0, _mm256_loadu_pd(r0 + x));
    s = _mm256_add_pd(s, _mm256_mul_pd(h1, _mm256_loadu_pd(r1 + x)));
    s = _mm256_add_pd(s, _mm256_mul_pd(h2, _mm256_loadu_pd(r2 + x)));
    s = _mm256_add_pd(s, _mm256_mul_pd(h3, _mm256_loadu_pd(r3 + x)));
    _mm256_storeu_pd(v + x, s);
  }
  return x;
}

// The common case of the vertical pass in one sweep: rows 0 and 1 of the
// filter (source rows 2r+1 and 2r) are new, so they are converted here,
// kept in the ring for the next output row (where they are taps 2 and 3),
// and used straight from registers; rows 2 and 3 come from the ring.
__attribute__((target("avx2"))) int convert_vertical_avx2(const std::uint8_t* src0, const std::uint8_t* src1,
                                                           double* r0, double* r1, const double* r2,
                                                           const double* r3, int w, double* v) {
  const __m256d k = _mm256_set1_pd(kInv255);
  const __m256d h0 = _mm256_set1_pd(kHi0), h1 = _mm256_set1_pd(kHi1);
  const __m256d h2 = _mm256_set1_pd(kHi2), h3 = _mm256_set1_pd(kHi3);
  int x = 0;
  for (; x + 8 <= w; x += 8) {
    const __m256i y0 = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src0 + x)));
    const __m256i y1 = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src1 + x)));
    for (int half = 0; half < 2; ++half) {
      const int i = x + 4 * half;
      const __m128i y0h = half ? _mm256_extracti128_si256(y0, 1) : _mm256_castsi256_si128(y0);
      const __m128i y1h = half ? _mm256_extracti128_si256(y1, 1) : _mm256_castsi256_si128(y1);
      const __m256d a = _mm256_mul_pd(_mm256_cvtepi32_pd(y0h), k);
      const __m256d b = _mm256_mul_pd(_mm256_cvtepi32_pd(y1h), k);
      _mm256_storeu_pd(r0 + i, a);
      _mm256_storeu_pd(r1 + i, b);
      __m256d s = _mm256_mul_pd(h0, a);
      s = _mm256_add_pd(s, _mm256_mul_pd(h1, b));
      s = _mm256_add_pd(s, _mm256_mul_pd(h2, _mm256_loadu_pd(r2 + i)));
      s = _mm256_add_pd(s, _mm256_mul_pd(h3, _mm256_loadu_pd(r3 + i)));
      _mm256_storeu_pd(v + i, s);
    }
  }
  return x;
}

// |HH| of the four outputs c..c+3, from v[2c-2 .. 2c+7]. unpacklo/hi of two
// runs of four split even and odd columns without crossing 128-bit lanes,
// which leaves the outputs in the order c, c+2, c+1, c+3: harmless, since
// nothing downstream (counts, window, selection) depends on the order of HH.
__attribute__((target("avx2"))) inline __m256i hh4_avx2(const double* v, int c) {
  const __m256d a = _mm256_loadu_pd(v + 2 * c - 2);   // v[2c-2 .. 2c+1]
  const __m256d b = _mm256_loadu_pd(v + 2 * c + 2);   // v[2c+2 .. 2c+5]
  const __m256d a2 = _mm256_loadu_pd(v + 2 * c);      // v[2c .. 2c+3]
  const __m256d b2 = _mm256_loadu_pd(v + 2 * c + 4);  // v[2c+4 .. 2c+7]
  const __m256d odd = _mm256_unpackhi_pd(a2, b2);     // v[2k+1] for k = c, c+2, c+1, c+3
  const __m256d even = _mm256_unpacklo_pd(a2, b2);    // v[2k]
  const __m256d odd_prev = _mm256_unpackhi_pd(a, b);  // v[2k-1]
  const __m256d even_prev = _mm256_unpacklo_pd(a, b);  // v[2k-2]
  __m256d s = _mm256_mul_pd(_mm256_set1_pd(kHi0), odd);
  s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(kHi1), even));
  s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(kHi2), odd_prev));
  s = _mm256_add_pd(s, _mm256_mul_pd(_mm256_set1_pd(kHi3), even_prev));
  return _mm256_and_si256(_mm256_castpd_si256(s), _mm256_set1_epi64x(INT64_MAX));
}

__attribute__((target("avx2"))) int horizontal_avx2(const double* v, int c, int c1, std::uint64_t* out) {
  for (; c + 4 <= c1; c += 4) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), hh4_avx2(v, c));
  return c;
}
#endif

void to_double(const std::uint8_t* src, int w, double* dst) {
  int done = 0;
#if FOCUSMETER_X86
  if (use_avx2()) done = to_double_avx2(src, w, dst);
#endif
  to_double_portable(src, done, w, dst);
}

void vertical(const double* r0, const double* r1, const double* r2, const double* r3, int w, double* v) {
  int done = 0;
#if FOCUSMETER_X86
  if (use_avx2()) done = vertical_avx2(r0, r1, r2, r3, w, v);
#endif
  vertical_portable(r0, r1, r2, r3, done, w, v);
}

void horizontal(const double* v, int c0, int c1, std::uint64_t* out) {
#if FOCUSMETER_X86
  if (use_avx2()) c0 = horizontal_avx2(v, c0, c1, out);
#endif
  horizontal_portable(v, c0, c1, out);
}

// ---------------------------------------------------------------------------
// Counting |HH| against a window of values.

// An inclusive range of |HH| bit patterns. lo >= 1, so zeros are never in it.
struct Window {
  std::uint64_t lo = 1;
  std::uint64_t hi = 0;  // empty
};

// What the full pass learns: how many values lie below the window and which
// lie inside it. `keep` has room for every value the pass can keep, plus
// the vector kernel's overhang of three.
struct Tally {
  Window window;
  std::uint64_t* keep = nullptr;
  std::size_t total = 0;
  std::size_t zeros = 0;
  std::size_t below = 0;  // below the window, zeros included
  std::size_t kept = 0;   // inside the window, at keep[0 .. kept)

  std::size_t nonzero() const { return total - zeros; }
  // Whether the non-zero ranks lo..hi are all inside the window.
  bool covers(std::size_t lo, std::size_t hi) const {
    const std::size_t first = below - zeros;
    return first <= lo && hi < first + kept;
  }
};

void tally_portable(const std::uint64_t* v, std::size_t n, Tally& t) {
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t b = v[i];
    t.zeros += b == 0;
    t.below += b < t.window.lo;
    // Branchless: write every value, advance only past the ones inside.
    t.keep[t.kept] = b;
    t.kept += (b >= t.window.lo) & (b <= t.window.hi);
  }
  t.total += n;
}

#if FOCUSMETER_X86
// For each 4-bit mask of lanes outside the window, the vpermd indices that
// move the other (kept) 64-bit lanes to the front (a compress, which AVX2
// lacks), and how many they are.
struct CompressTable {
  alignas(32) std::int32_t idx[16][8];
  std::uint8_t count[16];
  constexpr CompressTable() : idx(), count() {
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
constexpr CompressTable kCompress;

__attribute__((target("avx2"))) std::int64_t hsum_epi64(__m256i v) {
  alignas(32) std::int64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

// The horizontal pass fused with the tally for the interior outputs from c
// on (|HH| goes from register to count without a store). Bit patterns of
// |HH| are below 2^63, so signed 64-bit compares order them. Returns where
// it stopped.
__attribute__((target("avx2"))) int hh_tally_avx2(const double* v, int c, int c1, Tally& t) {
  const __m256i lo = _mm256_set1_epi64x(static_cast<std::int64_t>(t.window.lo));
  const __m256i hi = _mm256_set1_epi64x(static_cast<std::int64_t>(t.window.hi));
  const __m256i zero = _mm256_setzero_si256();
  __m256i below = zero, zeros = zero;  // per lane, counted by subtracting the all-ones masks
  std::uint64_t* keep = t.keep + t.kept;
  const int start = c;
#pragma GCC unroll 2
  for (; c + 4 <= c1; c += 4) {
    const __m256i b = hh4_avx2(v, c);
    const __m256i is_below = _mm256_cmpgt_epi64(lo, b);
    const __m256i outside = _mm256_or_si256(is_below, _mm256_cmpgt_epi64(b, hi));
    below = _mm256_sub_epi64(below, is_below);
    zeros = _mm256_sub_epi64(zeros, _mm256_cmpeq_epi64(b, zero));
    const int m = _mm256_movemask_pd(_mm256_castsi256_pd(outside));
    const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress.idx[m]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(keep), _mm256_permutevar8x32_epi32(b, perm));
    keep += kCompress.count[m];
  }
  t.below += static_cast<std::size_t>(hsum_epi64(below));
  t.zeros += static_cast<std::size_t>(hsum_epi64(zeros));
  t.kept = static_cast<std::size_t>(keep - t.keep);
  t.total += static_cast<std::size_t>(c - start);
  return c;
}
#endif

// ---------------------------------------------------------------------------
// The |HH| band, one output row at a time.

// Buffers reused across calls on the same thread: fresh multi-kilobyte (and,
// for the kept values, up to multi-megabyte) buffers would page-fault on
// every frame.
struct Scratch {
  // The exact pass.
  std::vector<double> source;  // four converted source rows, a ring
  std::vector<double> vert;    // one vertically filtered row
  std::vector<std::uint64_t> hh;
  std::vector<std::uint64_t> keep;
  // The screen (below).
  std::vector<float> ftail;
  std::vector<float> fvert;
  std::vector<std::uint32_t> keys;       // one row of screened keys
  std::vector<std::uint32_t> cand_keys;  // kept keys, and
  std::vector<std::uint32_t> cand_pos;   // their positions
  std::vector<std::uint32_t> near_zero;  // positions that may be exact zeros
  std::vector<std::uint32_t> band;       // positions recomputed exactly
  std::vector<double> exact;             // their values inside the window
  std::vector<std::uint32_t> bins;
};

class HHRows {
 public:
  HHRows(const LumaView& luma, Scratch& s) : luma_(luma), s_(s) {
    w_ = luma.width();
    h_ = luma.height();
    rows_ = (h_ + 3) / 2;  // pywt.dwt_coeff_len(n, 4, 'symmetric')
    cols_ = (w_ + 3) / 2;
    // Interior columns: 2c-2 >= 0 and 2c+1 <= w-1.
    c0_ = std::min(1, cols_);
    c1_ = std::max(c0_, std::min(cols_, w_ / 2));
    const std::size_t wz = static_cast<std::size_t>(w_);
    s_.source.resize(4 * wz);
    s_.vert.resize(wz);
    s_.hh.resize(static_cast<std::size_t>(cols_));
  }

  int rows() const { return rows_; }
  std::size_t cols() const { return static_cast<std::size_t>(cols_); }

  // |HH| bit patterns of output row r (cols() of them, in no particular order).
  const std::uint64_t* row(int r) {
    const double* v = vertical_row(r);
    std::uint64_t* out = s_.hh.data();
    horizontal(v, c0_, c1_, out);
    borders(v, out);
    return out;
  }

  // Output row r counted into `t`.
  void tally_row(int r, Tally& t) {
    const double* v = vertical_row(r);
    int done = c0_;
#if FOCUSMETER_X86
    if (use_avx2()) done = hh_tally_avx2(v, c0_, c1_, t);
#endif
    // The rest of the row (all of it on the portable path).
    std::uint64_t* out = s_.hh.data();
    horizontal_portable(v, done, c1_, out);
    borders(v, out);
    tally_portable(out, static_cast<std::size_t>(c0_), t);
    tally_portable(out + done, static_cast<std::size_t>(cols_ - done), t);
  }

 private:
  // Source row i (before extension), converted once: output row r reads rows
  // 2r-2 .. 2r+1, four consecutive rows, so a ring of four slots suffices.
  const double* source(int i) {
    const int r = symmetric(i, h_);
    double* dst = slot(r);
    if (slot_row_[r % 4] != r) {
      to_double(luma_.row(r), w_, dst);
      slot_row_[r % 4] = r;
    }
    return dst;
  }

  // Vertical high-pass of output row r: source rows 2r+1, 2r, 2r-1, 2r-2.
  const double* vertical_row(int r) {
    double* v = s_.vert.data();
#if FOCUSMETER_X86
    // Row after row, the two newest source rows are converted in the same
    // sweep as the filter (not at the borders, nor after a jump).
    const int i0 = symmetric(2 * r + 1, h_), i1 = symmetric(2 * r, h_);
    const int i2 = symmetric(2 * r - 1, h_), i3 = symmetric(2 * r - 2, h_);
    if (use_avx2() && i0 == i1 + 1 && i1 == i2 + 1 && i2 == i3 + 1 && slot_row_[i2 % 4] == i2 &&
        slot_row_[i3 % 4] == i3) {
      double* r0 = slot(i0);
      double* r1 = slot(i1);
      const int done = convert_vertical_avx2(luma_.row(i0), luma_.row(i1), r0, r1, slot(i2), slot(i3), w_, v);
      to_double_portable(luma_.row(i0), done, w_, r0);
      to_double_portable(luma_.row(i1), done, w_, r1);
      slot_row_[i0 % 4] = i0;
      slot_row_[i1 % 4] = i1;
      vertical_portable(r0, r1, slot(i2), slot(i3), done, w_, v);
      return v;
    }
#endif
    const double* a = source(2 * r - 2);
    const double* b = source(2 * r - 1);
    const double* c = source(2 * r);
    const double* d = source(2 * r + 1);
    vertical(d, c, b, a, w_, v);
    return v;
  }

  double* slot(int row) { return s_.source.data() + static_cast<std::size_t>(row % 4) * static_cast<std::size_t>(w_); }

  // Border columns: taps through the symmetric extension, in filter order.
  void borders(const double* v, std::uint64_t* out) const {
    for (int col = 0; col < cols_; ++col) {
      if (col == c0_ && c1_ > c0_) col = c1_;
      if (col >= cols_) break;
      double s = 0;
      for (int j = 0; j < 4; ++j) s += kHi[j] * v[symmetric(2 * col + 1 - j, w_)];
      out[col] = abs_bits(s);
    }
  }

  const LumaView& luma_;
  Scratch& s_;
  int w_, h_, rows_, cols_, c0_, c1_;
  int slot_row_[4] = {-1, -1, -1, -1};
};

// ---------------------------------------------------------------------------
// Finding a window: a histogram of |HH| over some rows.

// Radix histogram of |HH| bit patterns. Keys are the top 17 bits of the
// double (exponent and 5 mantissa bits: buckets of 1/32 octave), which order
// non-negative doubles monotonically. The range bucketed, 2^-128 .. 2^4,
// holds every |HH| of real images (|HH| <= 2.8 for inputs in [0, 1]) and
// the rounding residues that flat or smooth regions leave (down to ~1e-33);
// anything below or above lands in an edge bucket, which merges buckets but
// never reorders them.
class Histogram {
 public:
  void add(const std::uint64_t* v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t top = v[i] >> kShift;
      const std::uint64_t k = top < kLowTop ? 0 : std::min<std::uint64_t>(top - kLowTop + 1, kBuckets - 1);
      ++hist_[k];
      zeros_ += v[i] == 0;
    }
    count_ += n;
  }

  std::size_t nonzero() const { return count_ - zeros_; }

  // The bit patterns of the buckets holding the non-zero ranks lo..hi.
  Window window(std::size_t lo, std::size_t hi) const {
    const std::size_t b0 = bucket_of(lo), b1 = bucket_of(hi);
    Window w;
    w.lo = b0 == 0 ? 1 : (kLowTop + b0 - 1) << kShift;
    w.hi = b1 == kBuckets - 1 ? INT64_MAX : ((kLowTop + b1) << kShift) - 1;
    return w;
  }

 private:
  static constexpr int kShift = 64 - 17;
  static constexpr std::uint64_t kLowTop = (1023 - 128) << 5;  // top 17 bits of 2^-128
  static constexpr std::uint64_t kHighTop = (1023 + 4) << 5;   // top 17 bits of 2^4
  static constexpr std::size_t kBuckets = kHighTop - kLowTop + 2;

  // Zeros live in bucket 0 but are not counted in the ranks.
  std::size_t nonzero_in(std::size_t b) const { return hist_[b] - (b == 0 ? zeros_ : 0); }

  std::size_t bucket_of(std::size_t rank) const {
    std::size_t b = 0;
    while (b + 1 < kBuckets && rank >= nonzero_in(b)) rank -= nonzero_in(b++);
    return b;
  }

  std::uint32_t hist_[kBuckets] = {};
  std::size_t zeros_ = 0;
  std::size_t count_ = 0;
};

// The median's non-zero ranks among n (numpy's median: the middle value, or
// the mean of the two middle ones).
std::pair<std::size_t, std::size_t> median_ranks(std::size_t n) { return {(n - 1) / 2, n / 2}; }

// Rows sampled for the guess: every `stride`-th output row, at most 16 apart,
// and at least 32 rows unless the frame has fewer (then all of them).
int sample_stride(int rows) { return std::clamp(rows / 32, 1, 16); }

// The window holding the sample's median, widened by a margin of ranks that
// covers how far a sample's median strays from the frame's (rows are alike
// within themselves, so the sample is worth far fewer independent values
// than it holds: up to 3% of ranks was seen on photos; 4% keeps about a
// tenth of all values). With every row sampled the window is exact.
Window guess_window(HHRows& hh, int stride) {
  Histogram hist;
  for (int r = stride / 2; r < hh.rows(); r += stride) hist.add(hh.row(r), hh.cols());
  const std::size_t n = hist.nonzero();
  if (n == 0) return {};
  auto [lo, hi] = median_ranks(n);
  if (stride > 1) {
    const std::size_t margin = n / 25 + 16;
    lo = lo > margin ? lo - margin : 0;
    hi = std::min(n - 1, hi + margin);
  }
  return hist.window(lo, hi);
}

// A window holding the non-zero ranks lo..hi, exactly, from all rows.
Window exact_window(HHRows& hh, std::size_t lo, std::size_t hi) {
  Histogram hist;
  for (int r = 0; r < hh.rows(); ++r) hist.add(hh.row(r), hh.cols());
  return hist.window(lo, hi);
}

// The full pass: every row counted against the window.
Tally scan(HHRows& hh, const Window& w, std::vector<std::uint64_t>& keep) {
  Tally t;
  t.window = w;
  for (int r = 0; r < hh.rows(); ++r) {
    // Room for every value of this row, plus the vector kernel's overhang.
    if (keep.size() < t.kept + hh.cols() + 4) keep.resize(std::max(2 * keep.size(), t.kept + hh.cols() + 4));
    t.keep = keep.data();
    hh.tally_row(r, t);
  }
  return t;
}

// The values of ranks r0 and r1 (r0 <= r1 <= r0 + 1) among v[0 .. n), all
// inside the window. A fine radix pass over the window narrows them to a
// few values before nth_element (the kept values are some tens of thousands
// at 1080p, and a plain nth_element over them costs more than the counting).
std::pair<std::uint64_t, std::uint64_t> select_pair(std::uint64_t* v, std::size_t n, const Window& w,
                                                    std::size_t r0, std::size_t r1) {
  constexpr std::size_t kBins = 4096;
  int shift = 0;
  while (shift < 63 && ((w.hi - w.lo) >> shift) >= kBins) ++shift;
  std::vector<std::uint32_t> count(kBins);
  for (std::size_t i = 0; i < n; ++i) ++count[(v[i] - w.lo) >> shift];
  auto bin_of = [&](std::size_t& rank) {
    std::size_t b = 0;
    while (rank >= count[b]) rank -= count[b++];
    return b;
  };
  std::size_t k0 = r0, k1 = r1;
  const std::size_t b0 = bin_of(k0), b1 = bin_of(k1);
  // Bins b0..b1 are one range of bit patterns; compact them to the front
  // (writes never overtake reads).
  const std::uint64_t from = w.lo + (static_cast<std::uint64_t>(b0) << shift);
  const std::uint64_t span = ((static_cast<std::uint64_t>(b1 - b0) + 1) << shift) - 1;
  std::size_t m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = v[i];
    v[m] = x;
    m += x - from <= span;
  }
  // Ranks inside the compacted set: bin b0's values all sort before b1's.
  const std::size_t i1 = b1 == b0 ? k1 : count[b0] + k1;
  std::nth_element(v, v + k0, v + m);
  const std::uint64_t a = v[k0];
  const std::uint64_t b = i1 == k0 ? a : *std::min_element(v + k0 + 1, v + m);
  return {a, b};
}

// ---------------------------------------------------------------------------
// One coefficient, exactly.

// |HH| at output row r, column c, as pywt computes it (and as the row passes
// above do): the four vertical taps of each of the four source columns in
// filter order, then the four horizontal taps in filter order, on y * (1/255).
double exact_hh_portable(const LumaView& luma, int r, int c) {
  const int w = luma.width(), h = luma.height();
  const std::uint8_t* rows[4];
  int cols[4];
  for (int j = 0; j < 4; ++j) {
    rows[j] = luma.row(reflect(2 * r + 1 - j, h));
    cols[j] = reflect(2 * c + 1 - j, w);
  }
  auto x = [&](int i, int k) { return static_cast<double>(rows[i][cols[k]]) * kInv255; };
  double v[4];
  for (int k = 0; k < 4; ++k) {
    double s = kHi0 * x(0, k);
    s += kHi1 * x(1, k);
    s += kHi2 * x(2, k);
    s += kHi3 * x(3, k);
    v[k] = s;
  }
  double s = kHi0 * v[0];
  s += kHi1 * v[1];
  s += kHi2 * v[2];
  s += kHi3 * v[3];
  return std::fabs(s);
}

#if FOCUSMETER_X86
// Source columns 2c-2 .. 2c+1 of a row as doubles y * (1/255).
__attribute__((target("avx2"))) inline __m256d columns4_avx2(const std::uint8_t* row, int c) {
  std::int32_t bytes;
  std::memcpy(&bytes, row + 2 * c - 2, sizeof bytes);
  const __m256d y = _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(bytes)));
  return _mm256_mul_pd(y, _mm256_set1_pd(kInv255));
}

// exact_hh for an output whose sixteen taps all lie inside the frame: the
// four vertical sums side by side (lanes: columns 2c-2 .. 2c+1), the same
// operations in the same order; the horizontal sum stays in filter order.
__attribute__((target("avx2"))) double exact_hh_interior_avx2(const LumaView& luma, int r, int c) {
  __m256d v = _mm256_mul_pd(_mm256_set1_pd(kHi0), columns4_avx2(luma.row(2 * r + 1), c));
  v = _mm256_add_pd(v, _mm256_mul_pd(_mm256_set1_pd(kHi1), columns4_avx2(luma.row(2 * r), c)));
  v = _mm256_add_pd(v, _mm256_mul_pd(_mm256_set1_pd(kHi2), columns4_avx2(luma.row(2 * r - 1), c)));
  v = _mm256_add_pd(v, _mm256_mul_pd(_mm256_set1_pd(kHi3), columns4_avx2(luma.row(2 * r - 2), c)));
  // The products h3 v(2c-2), h2 v(2c-1), h1 v(2c), h0 v(2c+1).
  const __m256d p = _mm256_mul_pd(v, _mm256_setr_pd(kHi3, kHi2, kHi1, kHi0));
  const __m128d lo = _mm256_castpd256_pd128(p), hi = _mm256_extractf128_pd(p, 1);
  double s = _mm_cvtsd_f64(_mm_unpackhi_pd(hi, hi));
  s += _mm_cvtsd_f64(hi);
  s += _mm_cvtsd_f64(_mm_unpackhi_pd(lo, lo));
  s += _mm_cvtsd_f64(lo);
  return std::fabs(s);
}
#endif

double exact_hh(const LumaView& luma, int r, int c) {
  ++t_recomputed;
#if FOCUSMETER_X86
  if (use_avx2() && r >= 1 && 2 * r + 1 < luma.height() && c >= 1 && 2 * c + 1 < luma.width())
    return exact_hh_interior_avx2(luma, r, c);
#endif
  return exact_hh_portable(luma, r, c);
}

// ---------------------------------------------------------------------------
// The screen: |HH| in single precision.
//
// The screen filters the bytes y themselves (0..255, exact in float) with
// the taps rounded to float, in pywt's order, so a screened value S is about
// 255 |HH|; it stands for |HH| as
//   screened(S) = double(S) * (1/255),
// which never decreases as S grows (a product by a positive constant, and
// the key, S's bit pattern, orders like S).
//
// How far screened(S) can be from pywt's double a. Let u = 2^-24 (float's
// unit roundoff), H = sum |h_j| = 1.67303 (so H^2 = 2.7990), and
// R = sum_ij h_i h_j y_ij / 255 the exact real value both computations
// approximate. The float taps are within u |h_j| of the true ones. A sum of
// four products computed left to right is within gamma_4 = 4u/(1-4u) of the
// exact sum, relative to sum |h_j| |x_j| (Higham, Accuracy and Stability,
// eq. 3.5). So:
//  - vertical (summed as (h0 y0 + h1 y1) + (h2 y2 + h3 y3): each product
//    goes through at most three roundings, fewer than left to right, so
//    the same bound holds): |y| <= 255,
//    |V - v| <= (gamma_4 (1+u) + u) 255 H ~ 5u 255 H,
//    where v = sum_i h_i y_ij, and |V| <= 255 H (1 + 5u);
//  - horizontal: the rounding of the four products and sums (4u), the taps
//    (u) and the error carried from V (5u) give
//    |S - 255 |R|| <= 10u 255 H^2 (plus terms of order u^2, below 1e-11).
// So |S/255 - |R|| <= 10 u H^2 = 1.67e-6. pywt's a has the same kind of
// error in double (2^-53 instead of 2^-24, and the rounding of y * (1/255)):
// |a - |R|| <= 12 * 2^-53 * H^2 < 4e-15; screened() adds a relative 2^-52.
// Altogether |screened(S) - a| <= 1.67e-6. The code uses E = 2^-16 = 1.53e-5,
// a margin of 9 (the few double additions and subtractions of E below round
// by less than 1e-18, far inside it). tests/unit/noise_sigma_test.cpp
// measures the largest error on adversarial frames against 1.67e-6.
//
// Order statistics move no more than the values do, so the k-th smallest a
// lies within E of the k-th smallest screened value: that is what lets the
// screen narrow the median down to a few thousand exact recomputations.

constexpr double kScreenError = 1.0 / 65536;  // E
constexpr double kScreenBound = 10.0 * 0x1p-24 * 1.67303 * 1.67303;  // the derivation's bound

constexpr float kHiF0 = static_cast<float>(kHi0);
constexpr float kHiF1 = static_cast<float>(kHi1);
constexpr float kHiF2 = static_cast<float>(kHi2);
constexpr float kHiF3 = static_cast<float>(kHi3);
constexpr float kHiF[4] = {kHiF0, kHiF1, kHiF2, kHiF3};

std::uint32_t key_of(float s) {
  const float a = std::fabs(s);
  std::uint32_t bits;
  std::memcpy(&bits, &a, sizeof bits);
  return bits;
}

float from_key(std::uint32_t key) {
  float f;
  std::memcpy(&f, &key, sizeof f);
  return f;
}

double screened(std::uint32_t key) { return static_cast<double>(from_key(key)) * kInv255; }

// 255 E (exact in float). An exact zero screens at most this high, so the
// coefficients screened at or below it are the only ones that may be zeros.
constexpr float kNearZero = static_cast<float>(255.0 * kScreenError);
const std::uint32_t kNearZeroKey = key_of(kNearZero);
// The key of +infinity: above every screened value.
const std::uint32_t kInfinityKey = key_of(std::numeric_limits<float>::infinity());

// Row kernels, as for the exact pass: the portable loops are the definition
// and the AVX2 kernels do the same IEEE operations in the same order (eight
// outputs at a time), handle a prefix of the row and return where they
// stopped. The two give the same screened values, though only the bound
// above matters for the result.
//
// The vertically filtered row is kept as two half rows, its even columns and
// its odd ones, so that the horizontal taps of outputs c..c+7 (columns
// 2c+1, 2c, 2c-1, 2c-2) are four plain runs of eight: no shuffles, and the
// outputs come out in order.
struct SplitRow {
  float* even;  // column 2j at [j]
  float* odd;   // column 2j+1 at [j]
  float& operator[](int x) const { return (x % 2 ? odd : even)[x / 2]; }
};

// The vertical high-pass of output row r, sum_i h_i y(2r+1-i), is summed
// as a head (taps 0 and 1, on source rows 2r+1 and 2r) plus a tail (taps 2
// and 3, on rows 2r-1 and 2r-2). Row r+1's tail is the same two taps on
// row r's head rows, so each source row is read and converted once, and
// only one row of tails is carried (the pass stays in L1).
inline void screen_vertical_at(float ya, float yb, float& tail, float& v) {
  float head = kHiF0 * ya;
  head += kHiF1 * yb;
  float next = kHiF2 * ya;
  next += kHiF3 * yb;
  v = head + tail;
  tail = next;
}

// From column x (even) on. The rows never overlap; `omp simd` says so, as
// the compiler cannot tell float stores from byte loads apart otherwise.
void screen_vertical_portable(const std::uint8_t* a, const std::uint8_t* b, const SplitRow& tail, int x, int w,
                              const SplitRow& v) {
  const int j0 = x / 2, j1 = w / 2;
  float *te = tail.even, *to = tail.odd, *ve = v.even, *vo = v.odd;
#pragma omp simd
  for (int j = j0; j < j1; ++j) {
    screen_vertical_at(a[2 * j], b[2 * j], te[j], ve[j]);
    screen_vertical_at(a[2 * j + 1], b[2 * j + 1], to[j], vo[j]);
  }
  if (w % 2) screen_vertical_at(a[w - 1], b[w - 1], te[j1], ve[j1]);
}

// The tail alone, for the first row and after a jump: the same operations
// as `next` above.
inline float screen_tail_at(float ya, float yb) {
  float t = kHiF2 * ya;
  t += kHiF3 * yb;
  return t;
}

// From column x (even) on.
void screen_tail_portable(const std::uint8_t* a, const std::uint8_t* b, int x, int w, const SplitRow& tail) {
  const int j0 = x / 2, j1 = w / 2;
  float *te = tail.even, *to = tail.odd;
#pragma omp simd
  for (int j = j0; j < j1; ++j) {
    te[j] = screen_tail_at(a[2 * j], b[2 * j]);
    to[j] = screen_tail_at(a[2 * j + 1], b[2 * j + 1]);
  }
  if (w % 2) te[j1] = screen_tail_at(a[w - 1], b[w - 1]);
}

// Screened keys of the interior outputs c in [c, c1).
void screen_horizontal_portable(const SplitRow& v, int c0, int c1, std::uint32_t* out) {
  const float *ve = v.even, *vo = v.odd;
#pragma omp simd
  for (int c = c0; c < c1; ++c) {
    float s = kHiF0 * vo[c];
    s += kHiF1 * ve[c];
    s += kHiF2 * vo[c - 1];
    s += kHiF3 * ve[c - 1];
    out[c] = key_of(s);
  }
}

#if FOCUSMETER_X86
// Sixteen bytes from p as floats: the even ones and the odd ones. Each
// 16-bit load holds an even byte (low) and the odd byte after it (high).
struct Split8 {
  __m256 even, odd;
};
__attribute__((target("avx2"))) inline Split8 bytes_to_float16(const std::uint8_t* p) {
  const __m256i pairs = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return {_mm256_cvtepi32_ps(_mm256_and_si256(pairs, _mm256_set1_epi32(0xff))),
          _mm256_cvtepi32_ps(_mm256_srli_epi32(pairs, 8))};
}

__attribute__((target("avx2"))) inline __m256 taps8_avx2(float h0, float h1, __m256 a, __m256 b) {
  const __m256 s = _mm256_mul_ps(_mm256_set1_ps(h0), a);
  return _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(h1), b));
}

// One parity of screen_vertical_portable, eight columns.
__attribute__((target("avx2"))) inline void vertical8_avx2(__m256 ya, __m256 yb, float* tail, float* v) {
  _mm256_storeu_ps(v, _mm256_add_ps(taps8_avx2(kHiF0, kHiF1, ya, yb), _mm256_loadu_ps(tail)));
  _mm256_storeu_ps(tail, taps8_avx2(kHiF2, kHiF3, ya, yb));
}

__attribute__((target("avx2"))) int screen_vertical_avx2(const std::uint8_t* a, const std::uint8_t* b,
                                                          const SplitRow& tail, int w, const SplitRow& v) {
  int x = 0;
  for (; x + 16 <= w; x += 16) {
    const Split8 ya = bytes_to_float16(a + x), yb = bytes_to_float16(b + x);
    const int j = x / 2;
    vertical8_avx2(ya.even, yb.even, tail.even + j, v.even + j);
    vertical8_avx2(ya.odd, yb.odd, tail.odd + j, v.odd + j);
  }
  return x;
}

__attribute__((target("avx2"))) int screen_tail_avx2(const std::uint8_t* a, const std::uint8_t* b, int w,
                                                      const SplitRow& tail) {
  int x = 0;
  for (; x + 16 <= w; x += 16) {
    const Split8 ya = bytes_to_float16(a + x), yb = bytes_to_float16(b + x);
    _mm256_storeu_ps(tail.even + x / 2, taps8_avx2(kHiF2, kHiF3, ya.even, yb.even));
    _mm256_storeu_ps(tail.odd + x / 2, taps8_avx2(kHiF2, kHiF3, ya.odd, yb.odd));
  }
  return x;
}

// The horizontal taps of the eight outputs c..c+7 (columns 2c+1, 2c, 2c-1,
// 2c-2 of each), loaded; and their screened keys, in order.
struct Taps8 {
  __m256 t0, t1, t2, t3;
};
__attribute__((target("avx2"))) inline Taps8 load_taps8(const SplitRow& v, int c) {
  return {_mm256_loadu_ps(v.odd + c), _mm256_loadu_ps(v.even + c), _mm256_loadu_ps(v.odd + c - 1),
          _mm256_loadu_ps(v.even + c - 1)};
}

__attribute__((target("avx2"))) inline __m256i screen8_avx2(const Taps8& x) {
  __m256 s = _mm256_mul_ps(_mm256_set1_ps(kHiF0), x.t0);
  s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(kHiF1), x.t1));
  s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(kHiF2), x.t2));
  s = _mm256_add_ps(s, _mm256_mul_ps(_mm256_set1_ps(kHiF3), x.t3));
  return _mm256_and_si256(_mm256_castps_si256(s), _mm256_set1_epi32(INT32_MAX));
}

__attribute__((target("avx2"))) inline __m256i screen8_avx2(const SplitRow& v, int c) {
  return screen8_avx2(load_taps8(v, c));
}

__attribute__((target("avx2"))) int screen_horizontal_avx2(const SplitRow& v, int c, int c1, std::uint32_t* out) {
  for (; c + 8 <= c1; c += 8) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), screen8_avx2(v, c));
  return c;
}
#endif

void screen_vertical(const std::uint8_t* a, const std::uint8_t* b, const SplitRow& tail, int w, const SplitRow& v) {
  int done = 0;
#if FOCUSMETER_X86
  if (use_avx2()) done = screen_vertical_avx2(a, b, tail, w, v);
#endif
  screen_vertical_portable(a, b, tail, done, w, v);
}

void screen_tail(const std::uint8_t* a, const std::uint8_t* b, int w, const SplitRow& tail) {
  int done = 0;
#if FOCUSMETER_X86
  if (use_avx2()) done = screen_tail_avx2(a, b, w, tail);
#endif
  screen_tail_portable(a, b, done, w, tail);
}

void screen_horizontal(const SplitRow& v, int c0, int c1, std::uint32_t* out) {
#if FOCUSMETER_X86
  if (use_avx2()) c0 = screen_horizontal_avx2(v, c0, c1, out);
#endif
  screen_horizontal_portable(v, c0, c1, out);
}

// What the screening pass learns: how many keys lie below the window
// [lo, hi] (in key order), and which lie inside it, with their positions
// (r * cols + c); and the positions of the keys that may be exact zeros.
// `keys` and `pos` have room for every value the pass can keep, plus the
// vector kernel's overhang of seven.
struct ScreenTally {
  std::uint32_t lo = 1;  // above kNearZeroKey: near-zero keys count as below
  std::uint32_t hi = 0;
  std::uint32_t* keys = nullptr;
  std::uint32_t* pos = nullptr;
  std::vector<std::uint32_t>* near_zero = nullptr;
  std::size_t total = 0;
  std::size_t below = 0;  // below the window, near-zero ones included
  std::size_t kept = 0;   // inside the window, at keys/pos[0 .. kept)
};

// Counts live in locals: through `t` every store to keys[] could alias them.
void screen_tally_portable(const std::uint32_t* key, std::uint32_t base, int c0, int c1, ScreenTally& t) {
  const std::uint32_t lo = t.lo, hi = t.hi;
  std::uint32_t* keys = t.keys;
  std::uint32_t* pos = t.pos;
  std::size_t below = 0, kept = t.kept;
  for (int c = c0; c < c1; ++c) {
    const std::uint32_t k = key[c];
    const std::uint32_t at = base + static_cast<std::uint32_t>(c);
    below += k < lo;
    // Branchless: write every value, advance only past the ones inside.
    keys[kept] = k;
    pos[kept] = at;
    kept += (k >= lo) & (k <= hi);
    if (k <= kNearZeroKey) t.near_zero->push_back(at);
  }
  t.below += below;
  t.kept = kept;
  t.total += static_cast<std::size_t>(std::max(0, c1 - c0));
}

#if FOCUSMETER_X86
// For each 8-bit mask of lanes outside the window, the vpermd indices that
// move the other (kept) 32-bit lanes to the front, and how many they are.
struct CompressTable8 {
  alignas(32) std::int32_t idx[256][8];
  std::uint8_t count[256];
  constexpr CompressTable8() : idx(), count() {
    for (int m = 0; m < 256; ++m) {
      int n = 0;
      for (int lane = 0; lane < 8; ++lane)
        if (!(m & (1 << lane))) idx[m][n++] = lane;
      count[m] = static_cast<std::uint8_t>(n);
    }
  }
};
constexpr CompressTable8 kCompress8;

__attribute__((target("avx2"))) std::int64_t hsum_epi32(__m256i v) {
  alignas(32) std::int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
  std::int64_t sum = 0;
  for (std::int32_t x : lanes) sum += x;
  return sum;
}

// Rare: some of the eight keys at output `at` may be exact zeros.
__attribute__((noinline)) void note_near_zero(int lanes_mask, std::uint32_t at, std::vector<std::uint32_t>& out) {
  for (int lane = 0; lane < 8; ++lane)
    if (lanes_mask & (1 << lane)) out.push_back(at + static_cast<std::uint32_t>(lane));
}

// The screen's horizontal pass fused with the tally for the interior outputs
// from c on. Keys are below 2^31, so signed 32-bit compares order them. The
// compress indices are the kept lanes, so base + c + index is each kept
// value's position. The next block's taps are loaded before this block's
// stores: the stores' addresses depend on this block's values, and loads
// issued after them waited (about 10% slower at 1080p). Returns where it
// stopped.
__attribute__((target("avx2"))) int screen_tally_avx2(const SplitRow& v, int c, int c1, std::uint32_t base,
                                                       ScreenTally& t) {
  const __m256i lo = _mm256_set1_epi32(static_cast<std::int32_t>(t.lo));
  const __m256i hi = _mm256_set1_epi32(static_cast<std::int32_t>(t.hi));
  const __m256i near_zero = _mm256_set1_epi32(static_cast<std::int32_t>(kNearZeroKey));
  __m256i below = _mm256_setzero_si256();  // per lane, counted by subtracting the all-ones masks
  std::uint32_t* keys = t.keys + t.kept;
  std::uint32_t* pos = t.pos + t.kept;
  const int start = c;
  if (c + 8 > c1) return c;
  Taps8 next = load_taps8(v, c);
  for (; c + 8 <= c1; c += 8) {
    const Taps8 taps = next;
    if (c + 16 <= c1) next = load_taps8(v, c + 8);
    const __m256i k = screen8_avx2(taps);
    const __m256i is_below = _mm256_cmpgt_epi32(lo, k);
    const __m256i outside = _mm256_or_si256(is_below, _mm256_cmpgt_epi32(k, hi));
    below = _mm256_sub_epi32(below, is_below);
    const int m = _mm256_movemask_ps(_mm256_castsi256_ps(outside));
    const __m256i lanes = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress8.idx[m]));
    const std::uint32_t at = base + static_cast<std::uint32_t>(c);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(keys), _mm256_permutevar8x32_epi32(k, lanes));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(pos),
                        _mm256_add_epi32(lanes, _mm256_set1_epi32(static_cast<std::int32_t>(at))));
    keys += kCompress8.count[m];
    pos += kCompress8.count[m];
    const int far = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(k, near_zero)));
    if (__builtin_expect(far != 0xff, 0)) note_near_zero(~far & 0xff, at, *t.near_zero);
  }
  t.below += static_cast<std::size_t>(hsum_epi32(below));
  t.kept = static_cast<std::size_t>(keys - t.keys);
  t.total += static_cast<std::size_t>(c - start);
  return c;
}
#endif

// The screened |HH| band, one output row at a time (HHRows' twin in float).
class ScreenRows {
 public:
  ScreenRows(const LumaView& luma, Scratch& s) : luma_(luma), s_(s) {
    w_ = luma.width();
    h_ = luma.height();
    rows_ = (h_ + 3) / 2;
    cols_ = (w_ + 3) / 2;
    c0_ = std::min(1, cols_);
    c1_ = std::max(c0_, std::min(cols_, w_ / 2));
    // Half rows of (w+1)/2, plus the AVX2 kernel's reach past them.
    half_ = static_cast<std::size_t>(w_ / 2 + 8);
    s_.ftail.resize(2 * half_);
    s_.fvert.resize(2 * half_);
    s_.keys.resize(static_cast<std::size_t>(cols_));
  }

  int rows() const { return rows_; }
  std::size_t cols() const { return static_cast<std::size_t>(cols_); }
  std::size_t total() const { return static_cast<std::size_t>(rows_) * cols(); }

  // Screened keys of output row r (cols() of them, in order).
  const std::uint32_t* row(int r) {
    const SplitRow v = vertical_row(r);
    std::uint32_t* out = s_.keys.data();
    screen_horizontal(v, c0_, c1_, out);
    borders(v, out);
    return out;
  }

  // Output row r counted into `t`.
  void tally_row(int r, ScreenTally& t) {
    const SplitRow v = vertical_row(r);
    const std::uint32_t base = static_cast<std::uint32_t>(r) * static_cast<std::uint32_t>(cols_);
    int done = c0_;
#if FOCUSMETER_X86
    if (use_avx2()) done = screen_tally_avx2(v, c0_, c1_, base, t);
#endif
    std::uint32_t* out = s_.keys.data();
    screen_horizontal_portable(v, done, c1_, out);
    borders(v, out);
    screen_tally_portable(out, base, 0, c0_, t);
    screen_tally_portable(out, base, done, cols_, t);
  }

 private:
  SplitRow split(std::vector<float>& buf) const { return {buf.data(), buf.data() + half_}; }

  // Vertical high-pass of output row r: source rows 2r+1, 2r (the head) and
  // 2r-1, 2r-2 (the tail, left by row r-1 unless this is a jump).
  SplitRow vertical_row(int r) {
    const SplitRow tail = split(s_.ftail);
    if (tail_row_ != r)
      screen_tail(luma_.row(symmetric(2 * r - 1, h_)), luma_.row(symmetric(2 * r - 2, h_)), w_, tail);
    const SplitRow v = split(s_.fvert);
    screen_vertical(luma_.row(symmetric(2 * r + 1, h_)), luma_.row(symmetric(2 * r, h_)), tail, w_, v);
    tail_row_ = r + 1;
    return v;
  }

  // Border columns: taps through the symmetric extension, in filter order.
  void borders(const SplitRow& v, std::uint32_t* out) const {
    for (int col = 0; col < cols_; ++col) {
      if (col == c0_ && c1_ > c0_) col = c1_;
      if (col >= cols_) break;
      float s = 0;
      for (int j = 0; j < 4; ++j) s += kHiF[j] * v[symmetric(2 * col + 1 - j, w_)];
      out[col] = key_of(s);
    }
  }

  const LumaView& luma_;
  Scratch& s_;
  int w_, h_, rows_, cols_, c0_, c1_;
  std::size_t half_;
  int tail_row_ = -1;  // the output row whose tail s_.ftail holds
};

// Radix histogram of screened keys for the guess: the top 13 bits of the
// float (exponent and 5 mantissa bits: buckets of 1/32 octave) over
// 2^-12 .. 2^10, which holds every screened value (at most 255 * 2.8) and
// reaches well below kNearZero (about 2^-8); smaller values share bucket 0.
class KeyHistogram {
 public:
  void add(const std::uint32_t* keys, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t top = keys[i] >> kShift;
      const std::uint32_t b = top < kLowTop ? 0 : std::min<std::uint32_t>(top - kLowTop + 1, kBuckets - 1);
      ++hist_[b];
      near_zero_ += keys[i] <= kNearZeroKey;
    }
    count_ += n;
  }

  std::size_t count() const { return count_; }
  std::size_t near_zero() const { return near_zero_; }

  // The bucket holding rank `rank` (all keys counted), and the keys it spans.
  std::size_t bucket_of(std::size_t rank) const {
    std::size_t b = 0;
    while (b + 1 < kBuckets && rank >= hist_[b]) rank -= hist_[b++];
    return b;
  }
  static std::uint32_t first_key(std::size_t b) {
    return b == 0 ? 0 : static_cast<std::uint32_t>(kLowTop + b - 1) << kShift;
  }
  static std::uint32_t last_key(std::size_t b) {
    return b == kBuckets - 1 ? kInfinityKey : (static_cast<std::uint32_t>(kLowTop + b) << kShift) - 1;
  }

 private:
  static constexpr int kShift = 32 - 1 - 8 - 5;
  static constexpr std::uint32_t kLowTop = (127 - 12) << 5;  // top bits of 2^-12
  static constexpr std::uint32_t kHighTop = (127 + 10) << 5;  // top bits of 2^10
  static constexpr std::uint32_t kBuckets = kHighTop - kLowTop + 2;

  std::uint32_t hist_[kBuckets] = {};
  std::size_t near_zero_ = 0;
  std::size_t count_ = 0;
};

// Samples with more near-zero values than this share go to the exact pass:
// every near-zero value costs an exact recomputation on the screen.
constexpr std::size_t kNearZeroShare = 64;

// The screening window from sampled rows, as guess_window does for the
// exact pass (same rows, same rank margin), widened by 3E on each side so
// that the band of 2E around the screened median fits in it even when the
// sample is the whole frame; or nothing when the screen would not pay: the
// median among near-zero values, or many of those.
std::optional<std::pair<std::uint32_t, std::uint32_t>> guess_screen_window(ScreenRows& sr, int stride) {
  KeyHistogram hist;
  for (int r = stride / 2; r < sr.rows(); r += stride) hist.add(sr.row(r), sr.cols());
  const std::size_t near = hist.near_zero();
  if (near * kNearZeroShare > hist.count()) return std::nullopt;
  const std::size_t n = hist.count() - near;  // the near-zero ones stand in for the zeros
  auto [lo, hi] = median_ranks(n);
  if (stride > 1) {
    const std::size_t margin = n / 25 + 16;
    lo = lo > margin ? lo - margin : 0;
    hi = std::min(n - 1, hi + margin);
  }
  const float first = from_key(KeyHistogram::first_key(hist.bucket_of(near + lo))) - 3 * kNearZero;
  const float last = from_key(KeyHistogram::last_key(hist.bucket_of(near + hi))) + 3 * kNearZero;
  if (!(first > 4 * kNearZero)) return std::nullopt;
  return std::make_pair(key_of(first), key_of(last));
}

// The full screening pass: every row counted against the window. Stops
// early (false) once the near-zero values are too many to recompute.
bool screen_scan(ScreenRows& sr, std::uint32_t lo, std::uint32_t hi, Scratch& s, ScreenTally& t) {
  t = ScreenTally{};
  t.lo = lo;
  t.hi = hi;
  s.near_zero.clear();
  t.near_zero = &s.near_zero;
  const std::size_t limit = sr.total() / (kNearZeroShare / 2) + 64;
  const std::size_t room = sr.cols() + 8;
  for (int r = 0; r < sr.rows(); ++r) {
    if (s.cand_keys.size() < t.kept + room) {
      const std::size_t size = std::max(2 * s.cand_keys.size(), t.kept + room);
      s.cand_keys.resize(size);
      s.cand_pos.resize(size);
    }
    t.keys = s.cand_keys.data();
    t.pos = s.cand_pos.data();
    sr.tally_row(r, t);
    if (s.near_zero.size() > limit) return false;
  }
  return true;
}

double exact_hh_at(const LumaView& luma, std::size_t cols, std::uint32_t pos) {
  const std::uint32_t n = static_cast<std::uint32_t>(cols);  // positions are 32-bit, so is cols
  return exact_hh(luma, static_cast<int>(pos / n), static_cast<int>(pos % n));
}

// The smallest key in [lo, hi] whose screened value is at least x (hi + 1
// when none is): screened() never decreases with the key.
std::uint64_t first_key_at_least(double x, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t end = hi + 1;
  while (lo < end) {
    const std::uint64_t mid = lo + (end - lo) / 2;
    if (screened(static_cast<std::uint32_t>(mid)) >= x)
      end = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

// The keys of ranks r0 <= r1 among the kept keys, to within a bin: a radix
// count over the window, and the first key of r0's bin and the last of r1's.
std::pair<std::uint32_t, std::uint32_t> screened_ranks(const ScreenTally& t, std::size_t r0, std::size_t r1,
                                                       std::vector<std::uint32_t>& count) {
  constexpr std::size_t kBins = 4096;
  int shift = 0;
  while (((t.hi - t.lo) >> shift) >= kBins) ++shift;
  count.assign(kBins, 0);
  for (std::size_t i = 0; i < t.kept; ++i) ++count[(t.keys[i] - t.lo) >> shift];
  auto bin_of = [&](std::size_t rank) {
    std::size_t b = 0;
    while (rank >= count[b]) rank -= count[b++];
    return static_cast<std::uint64_t>(b);
  };
  const std::uint64_t first = t.lo + (bin_of(r0) << shift);
  const std::uint64_t last = std::min<std::uint64_t>(t.hi, t.lo + ((bin_of(r1) + 1) << shift) - 1);
  return {static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last)};
}

// Of the kept keys from i on: how many lie below `lo`, and the positions of
// those in [lo, hi], appended to band[m ..). Returns the new m.
std::size_t split_band_portable(const ScreenTally& t, std::size_t i, std::uint32_t lo, std::uint32_t hi,
                                std::size_t& below, std::uint32_t* band, std::size_t m) {
  for (; i < t.kept; ++i) {
    const std::uint32_t k = t.keys[i];
    below += k < lo;
    band[m] = t.pos[i];
    m += (k >= lo) & (k <= hi);
  }
  return m;
}

#if FOCUSMETER_X86
// The same, eight keys at a time (keys and bounds are below 2^31); returns
// where it stopped in `i` and the new m.
__attribute__((target("avx2"))) std::size_t split_band_avx2(const ScreenTally& t, std::size_t& i, std::uint32_t lo,
                                                             std::uint32_t hi, std::size_t& below,
                                                             std::uint32_t* band, std::size_t m) {
  const __m256i vlo = _mm256_set1_epi32(static_cast<std::int32_t>(lo));
  const __m256i vhi = _mm256_set1_epi32(static_cast<std::int32_t>(hi));
  __m256i count = _mm256_setzero_si256();
  for (; i + 8 <= t.kept; i += 8) {
    const __m256i k = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.keys + i));
    const __m256i is_below = _mm256_cmpgt_epi32(vlo, k);
    const __m256i outside = _mm256_or_si256(is_below, _mm256_cmpgt_epi32(k, vhi));
    count = _mm256_sub_epi32(count, is_below);
    const int mask = _mm256_movemask_ps(_mm256_castsi256_ps(outside));
    const __m256i perm = _mm256_load_si256(reinterpret_cast<const __m256i*>(kCompress8.idx[mask]));
    const __m256i p = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.pos + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(band + m), _mm256_permutevar8x32_epi32(p, perm));
    m += kCompress8.count[mask];
  }
  below += static_cast<std::size_t>(hsum_epi32(count));
  return m;
}
#endif

// The positions of the kept keys in [lo, hi] (in s.band[0 .. return value)),
// and how many kept keys lie below lo (added to `below`).
std::size_t split_band(const ScreenTally& t, std::uint32_t lo, std::uint32_t hi, std::size_t& below, Scratch& s) {
  s.band.resize(t.kept + 8);
  std::size_t i = 0, m = 0;
#if FOCUSMETER_X86
  if (use_avx2()) m = split_band_avx2(t, i, lo, hi, below, s.band.data(), m);
#endif
  return split_band_portable(t, i, lo, hi, below, s.band.data(), m);
}

// pywt's median from a screening pass, or nothing when the window missed it.
// `zeros` is the exact count of zeros (all among the near-zero keys, which
// are all below the window), so the median's ranks among all values, zeros
// first, are k0 and k1.
std::optional<double> screened_median(const LumaView& luma, const ScreenTally& t, std::size_t zeros, Scratch& s) {
  const std::size_t cols = static_cast<std::size_t>((luma.width() + 3) / 2);
  const auto [lo, hi] = median_ranks(t.total - zeros);
  const std::size_t k0 = lo + zeros, k1 = hi + zeros;
  if (k0 < t.below || k1 >= t.below + t.kept) return std::nullopt;

  // The screened values of ranks k0 and k1 lie in [first, last], so pywt's
  // lie in [a0, a1]: any value screened more than E outside that interval
  // is certainly outside it (below a0 or above a1), and the ones inside
  // need the exact value.
  const auto [first, last] = screened_ranks(t, k0 - t.below, k1 - t.below, s.bins);
  const double a0 = screened(first) - kScreenError;
  const double a1 = screened(last) + kScreenError;
  const double band_lo = a0 - kScreenError, band_hi = a1 + kScreenError;
  // The keys outside the window must be certain too.
  if (band_lo < screened(t.lo) || band_hi > screened(t.hi)) return std::nullopt;
  const std::uint64_t key_lo = first_key_at_least(band_lo, t.lo, t.hi);
  const std::uint64_t key_hi = first_key_at_least(std::nextafter(band_hi, INFINITY), t.lo, t.hi) - 1;

  // Below a0: everything below the window, the kept keys below the band,
  // and the recomputed values below a0.
  std::size_t below = t.below;
  const std::size_t m =
      split_band(t, static_cast<std::uint32_t>(key_lo), static_cast<std::uint32_t>(key_hi), below, s);
  s.exact.resize(m);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double a = exact_hh_at(luma, cols, s.band[i]);
    below += a < a0;
    // Branchless: about half of them are kept.
    s.exact[kept] = a;
    kept += (a >= a0) & (a <= a1);
  }
  // Cannot miss if the bound holds; checked all the same.
  if (k0 < below || k1 - below >= kept) return std::nullopt;
  const auto v = s.exact.begin();
  const auto end = v + static_cast<std::ptrdiff_t>(kept);
  std::nth_element(v, v + static_cast<std::ptrdiff_t>(k0 - below), end);
  const double x0 = v[static_cast<std::ptrdiff_t>(k0 - below)];
  if (k1 == k0) return x0 / kMadToSigma;
  const double x1 = *std::min_element(v + static_cast<std::ptrdiff_t>(k0 - below) + 1, end);
  return (x0 + x1) / 2.0 / kMadToSigma;
}

// What the screen settles: sigma, or failing that the exact count of
// non-zero values when it got that far.
struct ScreenOutcome {
  std::optional<double> sigma;
  std::optional<std::size_t> nonzero;
};

ScreenOutcome screened_sigma(const LumaView& luma, Scratch& s) {
  ScreenRows sr(luma, s);
  // Positions are 32-bit.
  if (sr.total() > std::numeric_limits<std::uint32_t>::max()) return {};
  const auto window = guess_screen_window(sr, sample_stride(sr.rows()));
  if (!window) return {};
  ScreenTally t;
  if (!screen_scan(sr, window->first, window->second, s, t)) return {};
  std::size_t zeros = 0;
  for (std::uint32_t pos : s.near_zero) zeros += exact_hh_at(luma, sr.cols(), pos) == 0;
  ScreenOutcome out;
  out.nonzero = t.total - zeros;
  out.sigma = *out.nonzero == 0 ? std::optional<double>(0.0) : screened_median(luma, t, zeros, s);
  return out;
}

// ---------------------------------------------------------------------------
// The exact pass: |HH| in double throughout.

// pywt's median with every value computed in double: a window guessed from
// sampled rows, or, when the screen already counted the non-zero values,
// an exact window straight away (the screen's window missed the median, so
// a guess from the same rows would likely miss too).
double exact_sigma(const LumaView& luma, Scratch& scratch, std::optional<std::size_t> known_nonzero) {
  ++t_exact_passes;
  HHRows hh(luma, scratch);
  Tally t;
  if (known_nonzero) {
    if (*known_nonzero == 0) return 0.0;
    ++t_rescans;
    const auto [lo, hi] = median_ranks(*known_nonzero);
    t = scan(hh, exact_window(hh, lo, hi), scratch.keep);
  } else {
    t = scan(hh, guess_window(hh, sample_stride(hh.rows())), scratch.keep);
  }
  const std::size_t n = t.nonzero();
  if (n == 0) return 0.0;
  const auto [lo, hi] = median_ranks(n);
  if (!t.covers(lo, hi)) {
    ++t_rescans;
    t = scan(hh, exact_window(hh, lo, hi), scratch.keep);
  }

  const std::size_t first = t.below - t.zeros;
  const auto [a, b] = select_pair(t.keep, t.kept, t.window, lo - first, hi - first);
  const double median = hi == lo ? from_bits(a) : (from_bits(a) + from_bits(b)) / 2.0;
  return median / kMadToSigma;
}

}  // namespace

namespace detail {
std::size_t noise_sigma_rescans() { return t_rescans; }
std::size_t noise_sigma_exact_passes() { return t_exact_passes; }
std::size_t noise_sigma_recomputed() { return t_recomputed; }
double noise_sigma_screen_bound() { return kScreenBound; }

double noise_sigma_screen_error(const LumaView& luma) {
  if (luma.empty()) return 0.0;
  Scratch s;
  ScreenRows sr(luma, s);
  ScreenTally t;
  // A window of every key: each value is kept with its position.
  screen_scan(sr, 0, kInfinityKey, s, t);
  double worst = 0;
  const std::size_t before = t_recomputed;
  for (std::size_t i = 0; i < t.kept; ++i)
    worst = std::max(worst, std::fabs(screened(t.keys[i]) - exact_hh_at(luma, sr.cols(), t.pos[i])));
  t_recomputed = before;
  return worst;
}
}  // namespace detail

double noise_sigma(const LumaView& luma) {
  if (luma.empty()) return 0.0;
  thread_local Scratch scratch;
  const ScreenOutcome screen = screened_sigma(luma, scratch);
  if (screen.sigma) return *screen.sigma;
  return exact_sigma(luma, scratch, screen.nonzero);
}

}  // namespace focusmeter
