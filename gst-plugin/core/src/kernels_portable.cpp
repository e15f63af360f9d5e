// The portable kernel table: the definitions every ISA table follows. Most
// kernels live beside their algorithm (gradient_stats.cpp, noise_hh.cpp,
// noise_screen.cpp); this file puts them in the table, whole-row.
#include <cstddef>
#include <cstdint>

#include "kernels.h"

namespace focusmeter::detail {
namespace portable {
#include "row_loops.inc"
}  // namespace portable

namespace {

void top_row(const std::uint32_t* row, int n, TopValues& top) { top_row_portable(row, 0, n, top); }

void lap_sums(const std::int16_t* lap, int n, std::int64_t& sum, std::int64_t& sum_sq) {
  lap_sums_portable(lap, 0, n, sum, sum_sq);
}

void bin_above(const std::int16_t* lap, const std::uint32_t* mag, int n, std::uint32_t bar, EdgeBin* bins) {
  bin_above_portable(lap, mag, 0, n, bar, bins);
}

void to_double(const std::uint8_t* src, int w, double* dst) { to_double_portable(src, 0, w, dst); }

void vertical(const double* r0, const double* r1, const double* r2, const double* r3, int w, double* v) {
  vertical_portable(r0, r1, r2, r3, 0, w, v);
}

void convert_vertical(const std::uint8_t* src0, const std::uint8_t* src1, double* r0, double* r1, const double* r2,
                      const double* r3, int w, double* v) {
  to_double_portable(src0, 0, w, r0);
  to_double_portable(src1, 0, w, r1);
  vertical_portable(r0, r1, r2, r3, 0, w, v);
}

void hh_tally(const double* v, int c0, int c1, std::uint64_t* out, Tally& t) {
  hh_row_portable(v, c0, c1, out);
  if (c1 > c0) tally_portable(out + c0, static_cast<std::size_t>(c1 - c0), t);
}

void screen_vertical(const std::uint8_t* a, const std::uint8_t* b, const SplitRow& tail, int w, const SplitRow& v) {
  screen_vertical_portable(a, b, tail, 0, w, v);
}

void screen_tail(const std::uint8_t* a, const std::uint8_t* b, int w, const SplitRow& tail) {
  screen_tail_portable(a, b, 0, w, tail);
}

void screen_tally(const SplitRow& v, int c0, int c1, std::uint32_t base, std::uint32_t* out, ScreenTally& t) {
  screen_row_portable(v, c0, c1, out);
  screen_tally_portable(out, base, c0, c1, t);
}

std::size_t split_band(const ScreenTally& t, std::uint32_t lo, std::uint32_t hi, std::size_t& below,
                       std::uint32_t* band) {
  return split_band_portable(t, 0, lo, hi, below, band, 0);
}

constexpr Kernels kPortable = {
    "portable",
    portable::widen_row,
    portable::halve_row,
    portable::lap_and_mag,
    portable::sums_above,
    top_row,
    lap_sums,
    bin_above,
    portable::blur_step,
    portable::tile_row,
    frame_sums_portable,
    to_double,
    vertical,
    convert_vertical,
    hh_row_portable,
    hh_tally,
    exact_hh_interior_portable,
    screen_vertical,
    screen_tail,
    screen_row_portable,
    screen_tally,
    split_band,
};

}  // namespace

const Kernels& portable_kernels() { return kPortable; }

}  // namespace focusmeter::detail
