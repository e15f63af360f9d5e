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

// One output row of the vertical high-pass: the four source rows in filter
// order (rows 2r+1, 2r, 2r-1, 2r-2 after extension).
FOCUSMETER_TARGET_CLONES
void vertical_hi(const std::uint8_t* r0, const std::uint8_t* r1, const std::uint8_t* r2, const std::uint8_t* r3, int w,
                 double* out) {
  for (int x = 0; x < w; ++x) {
    double s = kHi0 * (static_cast<double>(r0[x]) * kInv255);
    s += kHi1 * (static_cast<double>(r1[x]) * kInv255);
    s += kHi2 * (static_cast<double>(r2[x]) * kInv255);
    s += kHi3 * (static_cast<double>(r3[x]) * kInv255);
    out[x] = s;
  }
}

// Horizontal high-pass of one vertically filtered row, for the interior
// outputs c in [c0, c1) whose taps 2c+1-j all fall inside the row. Writes
// |HH| bit patterns, zeros included (they are dropped later).
FOCUSMETER_TARGET_CLONES
void horizontal_hi_interior(const double* v, int c0, int c1, std::uint64_t* out) {
  for (int c = c0; c < c1; ++c) {
    double s = kHi0 * v[2 * c + 1];
    s += kHi1 * v[2 * c];
    s += kHi2 * v[2 * c - 1];
    s += kHi3 * v[2 * c - 2];
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

// Exact k-th smallest (0-based) of the non-zero values, via one radix pass.
class RadixSelector {
 public:
  explicit RadixSelector(const std::vector<std::uint64_t>& values) : values_(values) {
    std::fill(std::begin(hist_), std::end(hist_), 0u);
    for (std::uint64_t b : values_) ++hist_[b >> 48];
    nonzero_ = values_.size() - count_zeros();
  }

  std::size_t nonzero() const { return nonzero_; }

  std::uint64_t kth_nonzero(std::size_t k) {
    // Zeros have top bits 0, but so do tiny subnormals; skip zeros by rank.
    std::size_t rank = k + count_zeros();
    std::size_t bucket = 0;
    while (rank >= hist_[bucket]) rank -= hist_[bucket++];
    scratch_.clear();
    for (std::uint64_t b : values_)
      if ((b >> 48) == bucket) scratch_.push_back(b);
    std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(rank), scratch_.end());
    return scratch_[rank];
  }

 private:
  std::size_t count_zeros() const {
    if (zeros_ == SIZE_MAX) {
      zeros_ = 0;
      if (hist_[0] != 0)
        for (std::uint64_t b : values_) zeros_ += (b == 0);
    }
    return zeros_;
  }

  const std::vector<std::uint64_t>& values_;
  std::uint32_t hist_[1 << 16];
  std::vector<std::uint64_t> scratch_;
  mutable std::size_t zeros_ = SIZE_MAX;
  std::size_t nonzero_ = 0;
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

  std::vector<double> v(w);
  std::vector<std::uint64_t> hh(static_cast<std::size_t>(out_h) * out_w);
  for (int r = 0; r < out_h; ++r) {
    vertical_hi(luma.row(symmetric(2 * r + 1, h)), luma.row(symmetric(2 * r, h)), luma.row(symmetric(2 * r - 1, h)),
                luma.row(symmetric(2 * r - 2, h)), w, v.data());
    std::uint64_t* out = hh.data() + static_cast<std::size_t>(r) * out_w;
    horizontal_hi_interior(v.data(), c0, c1, out);
    for (int c = 0; c < out_w; ++c) {
      if (c >= c0 && c < c1) {
        c = c1 - 1;
        continue;
      }
      double s = 0;
      for (int j = 0; j < 4; ++j) s += kHi[j] * v[symmetric(2 * c + 1 - j, w)];
      out[c] = abs_bits(s);
    }
  }

  auto selector = std::make_unique<RadixSelector>(hh);
  const std::size_t n = selector->nonzero();
  if (n == 0) return 0.0;
  double median;
  if (n % 2 == 1) {
    median = from_bits(selector->kth_nonzero(n / 2));
  } else {
    const double lo = from_bits(selector->kth_nonzero(n / 2 - 1));
    const double hi = from_bits(selector->kth_nonzero(n / 2));
    median = (lo + hi) / 2.0;
  }
  return median / kMadToSigma;
}

}  // namespace focusmeter
