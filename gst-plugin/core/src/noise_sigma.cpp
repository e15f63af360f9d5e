// Gaussian noise level, as skimage.restoration.estimate_sigma (0.19) gives it:
// a one-level 2-D db2 wavelet transform (pywt.dwtn, mode 'symmetric'), the
// diagonal detail band HH with exact zeros dropped, and
//   sigma = median(|HH|) / 0.6744897501960817   (0 when HH is all zeros).
//
// Exactness. The transform runs in double precision with pywt's own order of
// operations (axis 0 first, taps summed in filter order, input scaled as
// img_as_float does: y * (1/255)), so HH matches pywt bit for bit, and the
// median is an exact selection. Bit-exactness matters beyond the last digit:
// pywt keeps tiny non-zero residues in flat regions and drops exact zeros,
// which moves the median's rank.
//
// Speed. HH (half a million doubles at 1080p) is never stored. A cheap first
// pass over a sample of HH rows guesses a narrow window of values that holds
// the median; the full pass then only counts the values below the window and
// keeps the ones inside it (about a tenth), and the median is selected among
// those. The guess is checked against the exact counts; when it missed (an
// image whose sampled rows are unlike the rest), an exact window is found
// from a histogram of all rows and the full pass runs again. The result never
// depends on the guess, only the time does.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
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

// Half-sample symmetric extension (pywt 'symmetric'): ... b a | a b ... y z | z y ...
int symmetric(int i, int n) {
  const int period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

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
// Row kernels. Each portable loop is the definition; the AVX2 kernel does the
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
  std::vector<double> source;  // four converted source rows, a ring
  std::vector<double> vert;    // one vertically filtered row
  std::vector<std::uint64_t> hh;
  std::vector<std::uint64_t> keep;
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

}  // namespace

namespace detail {
std::size_t noise_sigma_rescans() { return t_rescans; }
}  // namespace detail

double noise_sigma(const LumaView& luma) {
  if (luma.empty()) return 0.0;
  thread_local Scratch scratch;
  HHRows hh(luma, scratch);

  Tally t = scan(hh, guess_window(hh, sample_stride(hh.rows())), scratch.keep);
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

}  // namespace focusmeter
