// Gaussian noise level, as skimage.restoration.estimate_sigma (0.19) gives it:
// a one-level 2-D db2 wavelet transform (pywt.dwtn, mode 'symmetric'), the
// diagonal detail band HH with exact zeros dropped, and
//   sigma = median(|HH|) / 0.6744897501960817   (0 when HH is all zeros).
//
// The transform runs in double precision with pywt's own order of
// operations (axis 0 first, taps summed in filter order, input scaled as
// img_as_float does: y * (1/255)), so HH matches pywt bit for bit in the
// interior. The median is an exact selection: a 16-bit radix histogram of
// the doubles' bit patterns (monotone for non-negative values) finds the
// bucket holding the middle rank, and only that bucket is partially sorted.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "focusmeter/features.h"
#include "simd.h"

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

// Half-sample symmetric extension (pywt 'symmetric'): ... b a | a b ... y z | z y ...
int symmetric(int i, int n) {
  const int period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

// Source row as img_as_float gives it: y * (1/255) in double.
FOCUSMETER_TARGET_CLONES
void to_double(const std::uint8_t* src, int w, double* dst) {
  for (int x = 0; x < w; ++x) dst[x] = static_cast<double>(src[x]) * kInv255;
}

// One output row of the vertical high-pass: the four source rows in filter
// order (rows 2r+1, 2r, 2r-1, 2r-2 after extension), summed in that order.
// Written de-interleaved (even columns to `even`, odd to `odd`) so that the
// horizontal pass reads both with unit stride.
FOCUSMETER_TARGET_CLONES
void vertical_hi(const double* r0, const double* r1, const double* r2, const double* r3, int w, double* even,
                 double* odd) {
  const int pairs = w / 2;
  for (int k = 0; k < pairs; ++k) {
    double s = kHi0 * r0[2 * k];
    s += kHi1 * r1[2 * k];
    s += kHi2 * r2[2 * k];
    s += kHi3 * r3[2 * k];
    even[k] = s;
    double t = kHi0 * r0[2 * k + 1];
    t += kHi1 * r1[2 * k + 1];
    t += kHi2 * r2[2 * k + 1];
    t += kHi3 * r3[2 * k + 1];
    odd[k] = t;
  }
  if (w % 2) {
    double s = kHi0 * r0[w - 1];
    s += kHi1 * r1[w - 1];
    s += kHi2 * r2[w - 1];
    s += kHi3 * r3[w - 1];
    even[pairs] = s;
  }
}

// Horizontal high-pass for the interior outputs c in [c0, c1), whose taps
// 2c+1-j all fall inside the row: v[2c+1] = odd[c], v[2c] = even[c],
// v[2c-1] = odd[c-1], v[2c-2] = even[c-1]. Writes |HH| bit patterns, zeros
// included (dropped later).
FOCUSMETER_TARGET_CLONES
void horizontal_hi_interior(const double* even, const double* odd, int c0, int c1, std::uint64_t* out) {
  for (int c = c0; c < c1; ++c) {
    double s = kHi0 * odd[c];
    s += kHi1 * even[c];
    s += kHi2 * odd[c - 1];
    s += kHi3 * even[c - 1];
    const double a = std::fabs(s);
    std::uint64_t bits;
    std::memcpy(&bits, &a, sizeof bits);
    out[c] = bits;
  }
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

// Exact k-th smallest of the non-zero |HH| values by one radix pass. Keys
// are the top 16 bits of the double (exponent and 4 mantissa bits: buckets
// of 1/16 octave), which order non-negative doubles monotonically. Only the
// range that |HH| can take is bucketed (2^-60 .. 2^4; |HH| <= 2.8 for
// inputs in [0, 1]); anything below or above lands in an edge bucket, which
// merges buckets but never reorders them, so the selection stays exact.
class RadixSelector {
 public:
  void clear() {
    std::fill(std::begin(hist_), std::end(hist_), 0u);
    zeros_ = 0;
    count_ = 0;
  }

  // Counts a run of values (called per output row, while it is in cache):
  // keys and zeros in one vectorisable loop, then the increments.
  void add(const std::uint64_t* v, std::size_t n) {
    keys_.resize(n);
    zeros_ += row_keys(v, n, keys_.data());
    for (std::size_t i = 0; i < n; ++i) ++hist_[keys_[i]];
    count_ += n;
  }

  std::size_t nonzero() const { return count_ - zeros_; }

  // The k-th and (k+1)-th smallest non-zero values (0-based) of `values`
  // (the same values that were added), gathering both ranks' buckets in one
  // pass over the data.
  std::pair<std::uint64_t, std::uint64_t> kth_pair_nonzero(const std::vector<std::uint64_t>& values,
                                                           std::size_t k) {
    const auto [b0, r0] = locate(k);
    const auto [b1, r1] = locate(k + 1 < nonzero() ? k + 1 : k);
    // Buckets b0..b1 are one contiguous range of bit patterns (zero excluded).
    const std::uint64_t first = b0 == 0 ? 1 : (kLowTop + b0 - 1) << 48;
    const std::uint64_t last = b1 == kBuckets - 1 ? UINT64_MAX : ((kLowTop + b1) << 48) - 1;
    const std::uint64_t span = last - first;
    // Branchless: write every value, advance only past the candidates.
    scratch_.resize(nonzero_in(b0) + (b1 == b0 ? 0 : nonzero_in(b1)) + 1);
    std::size_t n = 0;
    for (std::uint64_t b : values) {
      scratch_[n] = b;
      n += (b - first <= span);
    }
    scratch_.resize(n);
    // Values of bucket b0 all sort before those of b1 (b0 <= b1), so the
    // ranks inside the gathered set are r0 and (non-zero count of b0) + r1.
    const std::size_t off1 = b1 == b0 ? r1 : nonzero_in(b0) + r1;
    auto nth = [&](std::size_t i) {
      std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(i), scratch_.end());
      return scratch_[i];
    };
    const std::uint64_t lo = nth(r0);
    const std::uint64_t hi = off1 == r0 ? lo : nth(off1);
    return {lo, hi};
  }

 private:
  static constexpr std::uint64_t kLowTop = (1023 - 60) << 4;  // top 16 bits of 2^-60
  static constexpr std::uint64_t kHighTop = (1023 + 4) << 4;  // top 16 bits of 2^4
  static constexpr std::size_t kBuckets = kHighTop - kLowTop + 2;

  FOCUSMETER_TARGET_CLONES
  static std::size_t row_keys(const std::uint64_t* v, std::size_t n, std::uint16_t* keys) {
    std::size_t zeros = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t k = static_cast<std::int64_t>(v[i] >> 48) - static_cast<std::int64_t>(kLowTop) + 1;
      keys[i] = static_cast<std::uint16_t>(k < 0 ? 0 : (k > std::int64_t{kBuckets - 1} ? kBuckets - 1 : k));
      zeros += v[i] == 0;
    }
    return zeros;
  }

  // Zeros live in bucket 0 but are not candidates.
  std::size_t nonzero_in(std::size_t bucket) const { return hist_[bucket] - (bucket == 0 ? zeros_ : 0); }

  // Bucket and rank among its non-zero values of the k-th non-zero value.
  std::pair<std::size_t, std::size_t> locate(std::size_t k) const {
    std::size_t rank = k;
    std::size_t bucket = 0;
    while (rank >= nonzero_in(bucket)) rank -= nonzero_in(bucket++);
    return {bucket, rank};
  }

  std::uint32_t hist_[kBuckets];
  std::vector<std::uint16_t> keys_;
  std::size_t zeros_ = 0;
  std::size_t count_ = 0;
  std::vector<std::uint64_t> scratch_;
};

}  // namespace

double noise_sigma(const LumaView& luma) {
  if (luma.empty()) return 0.0;
  const int w = luma.width();
  const int h = luma.height();
  const int out_h = (h + 3) / 2;  // pywt.dwt_coeff_len(n, 4, 'symmetric')
  const int out_w = (w + 3) / 2;

  // Interior columns: 2c-2 >= 0 and 2c+1 <= w-1.
  const int c0 = std::min(1, out_w);
  const int c1 = std::max(c0, std::min(out_w, w / 2));

  // Scratch reused across calls on the same thread: fresh multi-megabyte
  // buffers would page-fault on every frame.
  thread_local std::vector<double> rows, even, odd;
  thread_local std::vector<std::uint64_t> hh;
  thread_local std::unique_ptr<RadixSelector> selector;
  const std::size_t wz = static_cast<std::size_t>(w);
  rows.resize(4 * wz);
  even.resize(wz / 2 + 1);
  odd.resize(wz / 2 + 1);
  hh.resize(static_cast<std::size_t>(out_h) * out_w);

  // Source rows converted once each, in a ring of four (output row r reads
  // rows 2r-2 .. 2r+1, four consecutive rows before extension).
  int slot_row[4] = {-1, -1, -1, -1};
  auto row = [&](int i) -> const double* {
    const int r = symmetric(i, h);
    double* dst = rows.data() + static_cast<std::size_t>(r % 4) * wz;
    if (slot_row[r % 4] != r) {
      to_double(luma.row(r), w, dst);
      slot_row[r % 4] = r;
    }
    return dst;
  };

  if (!selector) selector = std::make_unique<RadixSelector>();
  selector->clear();
  for (int r = 0; r < out_h; ++r) {
    const double* a = row(2 * r - 2);
    const double* b = row(2 * r - 1);
    const double* c = row(2 * r);
    const double* d = row(2 * r + 1);
    vertical_hi(d, c, b, a, w, even.data(), odd.data());
    std::uint64_t* out = hh.data() + static_cast<std::size_t>(r) * out_w;
    horizontal_hi_interior(even.data(), odd.data(), c0, c1, out);
    // Border columns: taps through the symmetric extension, in filter order.
    for (int col = 0; col < out_w; ++col) {
      if (col == c0 && c1 > c0) col = c1;
      if (col >= out_w) break;
      double s = 0;
      for (int j = 0; j < 4; ++j) {
        const int x = symmetric(2 * col + 1 - j, w);
        s += kHi[j] * (x % 2 ? odd[x / 2] : even[x / 2]);
      }
      out[col] = abs_bits(s);
    }
    selector->add(out, static_cast<std::size_t>(out_w));
  }
  const std::size_t n = selector->nonzero();
  if (n == 0) return 0.0;
  // numpy's median: the middle value, or the mean of the two middle ones.
  double median;
  if (n % 2 == 1) {
    median = from_bits(selector->kth_pair_nonzero(hh, n / 2).first);
  } else {
    const auto [lo, hi] = selector->kth_pair_nonzero(hh, n / 2 - 1);
    median = (from_bits(lo) + from_bits(hi)) / 2.0;
  }
  return median / kMadToSigma;
}

}  // namespace focusmeter
