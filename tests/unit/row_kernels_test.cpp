// The row kernels of every table (gst-plugin/core/src/kernels.h) against the
// portable table, which defines them: on random rows and on 0/255 patterns
// (the extremes of every intermediate), at widths around the vector steps
// (1..70), a 1080p and a 4K row, and from unaligned addresses. Every output
// must be the same bits.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels.h"

namespace fm = focusmeter;
using fm::detail::Kernels;

namespace {

// The widths the vector loops must get right: every remainder of 8, 16 and
// 32, and real rows.
std::vector<int> widths() {
  std::vector<int> w;
  for (int i = 1; i <= 70; ++i) w.push_back(i);
  for (int i : {1919, 1920, 3840}) w.push_back(i);
  return w;
}

// The pixel patterns: luma 0..255 at (x, y) of pattern `kind`.
enum class Pattern { Random, Checker, Stripes, Black, White, RandomBinary, Count };

std::uint8_t pixel(Pattern p, int x, int y, std::mt19937& rng) {
  switch (p) {
    case Pattern::Random:
      return static_cast<std::uint8_t>(rng() % 256);
    case Pattern::Checker:
      return (x + y) % 2 ? 255 : 0;
    case Pattern::Stripes:
      return x % 2 ? 255 : 0;
    case Pattern::Black:
      return 0;
    case Pattern::White:
      return 255;
    default:
      return rng() % 2 ? 255 : 0;
  }
}

// Rows of `w` pixels with `pad` readable pixels before and after (and a
// start `offset` bytes into the buffer, so that no row is aligned).
struct Rows {
  std::vector<std::vector<std::uint8_t>> storage;
  std::vector<const std::uint8_t*> row;
};

Rows make_rows(Pattern p, int w, int count, int pad, int offset, std::mt19937& rng) {
  Rows r;
  for (int y = 0; y < count; ++y) {
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(w + 2 * pad + offset));
    for (int x = 0; x < static_cast<int>(buf.size()); ++x) buf[x] = pixel(p, x, y, rng);
    r.storage.push_back(std::move(buf));
  }
  for (auto& buf : r.storage) r.row.push_back(buf.data() + offset + pad);
  return r;
}

std::vector<const Kernels*> vector_tables() {
  std::vector<const Kernels*> out;
  for (const Kernels* k : fm::detail::available_kernels())
    if (k != &fm::detail::portable_kernels()) out.push_back(k);
  return out;
}

const Kernels& portable() { return fm::detail::portable_kernels(); }

constexpr int kPatterns = static_cast<int>(Pattern::Count);

}  // namespace

TEST(RowKernels, WidenRowIsPortable) {
  std::mt19937 rng(1);
  for (const Kernels* k : vector_tables())
    for (int w : widths())
      for (int p = 0; p < kPatterns; ++p) {
        const Rows r = make_rows(static_cast<Pattern>(p), w, 1, 0, w % 3, rng);
        std::vector<std::int16_t> want(static_cast<std::size_t>(w) + 1, -7), got(want);
        portable().widen_row(r.row[0], w, want.data() + 1);
        k->widen_row(r.row[0], w, got.data() + 1);
        ASSERT_EQ(got, want) << k->isa << " w=" << w << " pattern " << p;  // incl. untouched neighbours
      }
}

TEST(RowKernels, HalveRowIsPortable) {
  std::mt19937 rng(2);
  for (const Kernels* k : vector_tables())
    for (int w2 : widths())
      for (int p = 0; p < kPatterns; ++p) {
        const Rows r = make_rows(static_cast<Pattern>(p), 2 * w2, 2, 0, w2 % 5, rng);
        std::vector<std::uint8_t> want(static_cast<std::size_t>(w2) + 2, 7), got(want);
        portable().halve_row(r.row[0], r.row[1], w2, want.data() + 1);
        k->halve_row(r.row[0], r.row[1], w2, got.data() + 1);
        ASSERT_EQ(got, want) << k->isa << " w2=" << w2 << " pattern " << p;
      }
}

// Rows widened to int16 with one pixel of pad on each side, as PaddedRows
// gives them.
std::vector<std::int16_t> widened(const std::uint8_t* row, int w) {
  std::vector<std::int16_t> out(static_cast<std::size_t>(w) + 2);
  for (int x = -1; x <= w; ++x) out[static_cast<std::size_t>(x + 1)] = row[x];
  return out;
}

TEST(RowKernels, LapAndMagIsPortable) {
  std::mt19937 rng(3);
  for (const Kernels* k : vector_tables())
    for (int w : widths())
      for (int p = 0; p < kPatterns; ++p) {
        const Rows r = make_rows(static_cast<Pattern>(p), w, 3, 1, 0, rng);
        const auto u = widened(r.row[0], w), m = widened(r.row[1], w), d = widened(r.row[2], w);
        const std::size_t n = static_cast<std::size_t>(w) + 1;
        std::vector<std::int16_t> want_lap(n, -7), got_lap(want_lap);
        std::vector<std::uint32_t> want_mag(n, 7), got_mag(want_mag);
        portable().lap_and_mag(u.data() + 1, m.data() + 1, d.data() + 1, w, want_lap.data(), want_mag.data());
        k->lap_and_mag(u.data() + 1, m.data() + 1, d.data() + 1, w, got_lap.data(), got_mag.data());
        ASSERT_EQ(got_lap, want_lap) << k->isa << " w=" << w << " pattern " << p;
        ASSERT_EQ(got_mag, want_mag) << k->isa << " w=" << w << " pattern " << p;
      }
}

TEST(RowKernels, BlurStepIsPortable) {
  std::mt19937 rng(4);
  std::vector<int> ns = widths();
  ns.push_back(140000);  // past the vector kernel's 32-bit flush (4096 steps of 32)
  for (const Kernels* k : vector_tables())
    for (int n : ns)
      for (int p = 0; p < kPatterns; ++p) {
        // The four rows of a vertical step (cur, prev, ahead, behind), and a
        // horizontal step's offsets into one row.
        const Rows r = make_rows(static_cast<Pattern>(p), n, 4, 6, n % 7, rng);
        std::int64_t want_d = 5, want_v = 3, got_d = 5, got_v = 3;
        portable().blur_step(r.row[0], r.row[1], r.row[2], r.row[3], n, want_d, want_v);
        k->blur_step(r.row[0], r.row[1], r.row[2], r.row[3], n, got_d, got_v);
        EXPECT_EQ(got_d, want_d) << k->isa << " n=" << n << " pattern " << p;
        EXPECT_EQ(got_v, want_v) << k->isa << " n=" << n << " pattern " << p;
        const std::uint8_t* row = r.row[0];
        want_d = want_v = got_d = got_v = 0;
        portable().blur_step(row + 1, row, row + 6, row - 5, n - 1, want_d, want_v);
        k->blur_step(row + 1, row, row + 6, row - 5, n - 1, got_d, got_v);
        EXPECT_EQ(got_d, want_d) << k->isa << " horizontal n=" << n << " pattern " << p;
        EXPECT_EQ(got_v, want_v) << k->isa << " horizontal n=" << n << " pattern " << p;
      }
}

// Every field of a tile's sums, the float ones to the bit.
void expect_same(const fm::detail::TileSums& got, const fm::detail::TileSums& want, const std::string& what) {
  EXPECT_EQ(got.lap_sum, want.lap_sum) << what;
  EXPECT_EQ(got.lap_sq, want.lap_sq) << what;
  EXPECT_EQ(got.lap_max, want.lap_max) << what;
  EXPECT_EQ(got.luma_sum, want.luma_sum) << what;
  EXPECT_EQ(got.luma_sq, want.luma_sq) << what;
  EXPECT_EQ(got.mag_sum, want.mag_sum) << what;
  EXPECT_EQ(got.mag_root, want.mag_root) << what;
}

// tile_row on the planes lap_and_mag makes of the patterns, three rows into
// one tile's sums (as band_sums adds them), and on random values over the
// planes' whole ranges. Rows are at most 2000 pixels, the kernel's bound: a
// 4K frame's tiles are far narrower.
TEST(RowKernels, TileRowIsPortable) {
  std::mt19937 rng(5);
  constexpr std::uint32_t kMaxMag = 2u * 4080 * 4080;
  for (const Kernels* k : vector_tables())
    for (int w : widths()) {
      if (w > 2000) continue;
      for (int p = 0; p <= kPatterns; ++p) {
        const bool planes = p < kPatterns;
        fm::detail::TileSums want, got;
        for (int y = 0; y < 3; ++y) {
          const Rows r = make_rows(planes ? static_cast<Pattern>(p) : Pattern::Random, w, 3, 1, 0, rng);
          std::vector<std::int16_t> lap(static_cast<std::size_t>(w));
          std::vector<std::uint32_t> mag(static_cast<std::size_t>(w));
          if (planes) {
            const auto u = widened(r.row[0], w), m = widened(r.row[1], w), d = widened(r.row[2], w);
            portable().lap_and_mag(u.data() + 1, m.data() + 1, d.data() + 1, w, lap.data(), mag.data());
          } else {
            for (int x = 0; x < w; ++x) {
              lap[x] = static_cast<std::int16_t>(x % 5 == 0 ? (x % 2 ? 1020 : -1020)
                                                            : static_cast<int>(rng() % 2041) - 1020);
              mag[x] = x % 3 == 0 ? kMaxMag - rng() % 16 : rng() % (kMaxMag + 1);
            }
          }
          portable().tile_row(lap.data(), mag.data(), r.row[1], w, want);
          k->tile_row(lap.data(), mag.data(), r.row[1], w, got);
        }
        expect_same(got, want, std::string(k->isa) + " w=" + std::to_string(w) + " pattern " + std::to_string(p));
      }
    }
}

// A row of negative Laplacians only: the maximum is negative, and the
// padding of a vector kernel's last step must not raise it to zero.
TEST(RowKernels, TileRowMaximumOfNegativeLaplacians) {
  for (const Kernels* k : vector_tables())
    for (int w : widths()) {
      if (w > 2000) continue;
      std::vector<std::int16_t> lap(static_cast<std::size_t>(w));
      for (int x = 0; x < w; ++x) lap[x] = static_cast<std::int16_t>(-1 - x % 1000);
      const std::vector<std::uint32_t> mag(static_cast<std::size_t>(w), 9);
      const std::vector<std::uint8_t> luma(static_cast<std::size_t>(w), 200);
      fm::detail::TileSums want, got;
      portable().tile_row(lap.data(), mag.data(), luma.data(), w, want);
      k->tile_row(lap.data(), mag.data(), luma.data(), w, got);
      EXPECT_EQ(want.lap_max, -1) << w;
      expect_same(got, want, std::string(k->isa) + " w=" + std::to_string(w));
    }
}
