// Finding the median of |HH| without sorting it: radix histograms over the
// bit patterns ("keys") of non-negative doubles (the exact pass) or floats
// (the screen), which order like the values. One template serves both.
//
// A cheap first pass over a sample of rows guesses a window of keys that
// holds the median; the full pass then counts the keys below the window and
// keeps the ones inside it; a fine radix count over the window narrows the
// median's ranks to a few keys.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace focusmeter::detail {

// How keys of each width are bucketed: the sign, the exponent and 5
// mantissa bits (buckets of 1/32 octave) over the exponents [low, high);
// smaller values share bucket 0, larger ones the last bucket, which merges
// buckets but never reorders them.
template <typename Key>
struct KeyTraits;

// |HH| in double: 2^-128 .. 2^4 holds every |HH| of real images (<= 2.8 for
// inputs in [0, 1]) and the rounding residues that flat or smooth regions
// leave (down to ~1e-33). Windows start at 1, so zeros are never inside one.
template <>
struct KeyTraits<std::uint64_t> {
  static constexpr int kExponentBits = 11, kBias = 1023, kLow = -128, kHigh = 4;
  static constexpr std::uint64_t kFirst = 1, kLast = INT64_MAX;
};

// Screened values (about 255 |HH|) in float: 2^-12 .. 2^10 holds every one
// (at most 255 * 2.8) and reaches well below the near-zero key (about
// 2^-8). The last bucket ends at +infinity, above every screened value.
template <>
struct KeyTraits<std::uint32_t> {
  static constexpr int kExponentBits = 8, kBias = 127, kLow = -12, kHigh = 10;
  static constexpr std::uint32_t kFirst = 0, kLast = 0x7f800000;
};

template <typename Key>
struct KeyRange {
  Key lo, hi;  // inclusive
};

// Radix histogram of keys. Keys at or below `unranked` (the exact zeros, or
// the screen's near-zero values) are counted but not ranked: they are all
// smaller than every ranked key, so rank k among the ranked keys is rank
// k + unranked() among all.
template <typename Key>
class RadixHistogram {
  using Traits = KeyTraits<Key>;

 public:
  explicit RadixHistogram(Key unranked) : unranked_key_(unranked) {}

  void add(const Key* keys, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      const Key top = keys[i] >> kShift;
      const Key b = top < kLowTop ? 0 : std::min<Key>(top - kLowTop + 1, kBuckets - 1);
      ++hist_[b];
      unranked_ += keys[i] <= unranked_key_;
    }
    count_ += n;
  }

  std::size_t count() const { return count_; }
  std::size_t unranked() const { return unranked_; }
  std::size_t ranked() const { return count_ - unranked_; }

  // The keys spanned by the buckets holding the ranked ranks lo..hi.
  KeyRange<Key> window(std::size_t lo, std::size_t hi) const {
    return {first_key(bucket_of(unranked_ + lo)), last_key(bucket_of(unranked_ + hi))};
  }

 private:
  static constexpr int kShift = 8 * static_cast<int>(sizeof(Key)) - (1 + Traits::kExponentBits + 5);
  static constexpr Key kLowTop = static_cast<Key>(Traits::kBias + Traits::kLow) << 5;
  static constexpr Key kHighTop = static_cast<Key>(Traits::kBias + Traits::kHigh) << 5;
  static constexpr std::size_t kBuckets = kHighTop - kLowTop + 2;

  // The bucket holding rank `rank`, all keys counted.
  std::size_t bucket_of(std::size_t rank) const {
    std::size_t b = 0;
    while (b + 1 < kBuckets && rank >= hist_[b]) rank -= hist_[b++];
    return b;
  }
  static Key first_key(std::size_t b) { return b == 0 ? Traits::kFirst : static_cast<Key>(kLowTop + b - 1) << kShift; }
  static Key last_key(std::size_t b) {
    return b == kBuckets - 1 ? Traits::kLast : (static_cast<Key>(kLowTop + b) << kShift) - 1;
  }

  Key unranked_key_;
  std::uint32_t hist_[kBuckets] = {};
  std::size_t unranked_ = 0;
  std::size_t count_ = 0;
};

// The median's ranks among n (numpy's median: the middle value, or the mean
// of the two middle ones).
inline std::pair<std::size_t, std::size_t> median_ranks(std::size_t n) { return {(n - 1) / 2, n / 2}; }

// Rows sampled for the guess: every `stride`-th output row, at most 16 apart,
// and at least 16 rows unless the frame has fewer (then all of them). A
// focus-map tile (about 90 rows of HH at 1080p) thus samples 18 rows, not
// every other one: the sample only places the window, whose margin covers a
// smaller sample's stray, and a miss costs a rescan, never another result.
// (With at least 32 rows the 66 tiles' noise_sigma cost about three times
// the whole frame's; fewer than 16 let a flat patch in the sample send a
// noisy frame to the exact pass, tests/unit/noise_sigma_test.cpp.)
inline int sample_stride(int rows) { return std::clamp(rows / 16, 1, 16); }

// Histogram of every `stride`-th row of `rows` (anything with rows(), cols()
// and row(r) giving cols() keys), from row stride / 2.
template <typename Key, typename Rows>
RadixHistogram<Key> sample_rows(Rows& rows, int stride, Key unranked) {
  RadixHistogram<Key> hist(unranked);
  for (int r = stride / 2; r < rows.rows(); r += stride) hist.add(rows.row(r), rows.cols());
  return hist;
}

// The window holding the sample's median, widened by a margin of ranks that
// covers how far a sample's median strays from the frame's (rows are alike
// within themselves, so the sample is worth far fewer independent values
// than it holds: up to 3% of ranks was seen on photos; 4% keeps about a
// tenth of all values). With every row sampled the window is exact. Nothing
// when the sample has no ranked key.
template <typename Key>
std::optional<KeyRange<Key>> guess_window(const RadixHistogram<Key>& sample, int stride) {
  const std::size_t n = sample.ranked();
  if (n == 0) return std::nullopt;
  auto [lo, hi] = median_ranks(n);
  if (stride > 1) {
    const std::size_t margin = n / 25 + 16;
    lo = lo > margin ? lo - margin : 0;
    hi = std::min(n - 1, hi + margin);
  }
  return sample.window(lo, hi);
}

// A fine radix count of keys inside a window [lo, hi] (4096 bins) to find
// which bins hold given ranks (the kept values are some tens of thousands
// at 1080p, and a plain nth_element over them costs more than the counting).
template <typename Key>
class FineBins {
 public:
  static constexpr std::size_t kBins = 4096;

  FineBins(const Key* v, std::size_t n, KeyRange<Key> w, std::vector<std::uint32_t>& count) : lo_(w.lo), count_(count) {
    while (shift_ < 8 * static_cast<int>(sizeof(Key)) - 1 && ((w.hi - w.lo) >> shift_) >= kBins) ++shift_;
    count_.assign(kBins, 0);
    for (std::size_t i = 0; i < n; ++i) ++count_[(v[i] - lo_) >> shift_];
  }

  // The bin holding rank `rank` of the counted keys; `rank` becomes the
  // rank inside that bin.
  std::size_t bin_of(std::size_t& rank) const {
    std::size_t b = 0;
    while (rank >= count_[b]) rank -= count_[b++];
    return b;
  }
  std::size_t count(std::size_t b) const { return count_[b]; }
  Key first_key(std::size_t b) const { return static_cast<Key>(lo_ + (static_cast<Key>(b) << shift_)); }
  // The last key of bin b (the last bin may reach past the window's end).
  Key last_key(std::size_t b) const { return static_cast<Key>(first_key(b) + ((Key{1} << shift_) - 1)); }

 private:
  Key lo_;
  int shift_ = 0;
  std::vector<std::uint32_t>& count_;
};

}  // namespace focusmeter::detail
