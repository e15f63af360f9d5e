// The AVX2 kernels (src/x86/*_avx2.cpp, built with -mavx2), as
// kernels_avx2.cpp puts them in the table. Each does what the kernel slot
// of the same name in kernels.h says, for a whole row: a vector loop over
// most of it, the portable kernel for the rest.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels.h"

namespace focusmeter::detail {

void frame_sums_avx2(const Frame& frame, FrameSums& sums);

void top_row_avx2(const std::uint32_t* row, int n, TopValues& top);
void lap_sums_avx2(const std::int16_t* lap, int n, std::int64_t& sum, std::int64_t& sum_sq);
void bin_above_avx2(const std::int16_t* lap, const std::uint32_t* mag, int n, std::uint32_t bar, EdgeBin* bins);
void sums_above_avx2(const std::int16_t* lap, const std::uint32_t* mag, std::size_t n, std::uint32_t cut,
                     std::int64_t& lap2, std::int64_t& mag2, std::int64_t& count);

// The row loops of row_loops.inc written with intrinsics
// (gradient_rows_avx2.cpp, scale_rows_avx2.cpp, blur_rows_avx2.cpp,
// tile_rows_avx2.cpp).
void halve_row_avx2(const std::uint8_t* a, const std::uint8_t* b, int w2, std::uint8_t* out);
void lap_and_mag_avx2(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int w, std::int16_t* lap,
                      std::uint32_t* mag);
void blur_step_avx2(const std::uint8_t* cur, const std::uint8_t* prev, const std::uint8_t* ahead,
                    const std::uint8_t* behind, int n, std::int64_t& d_sum, std::int64_t& v_sum);
void tile_row_avx2(const std::int16_t* lap, const std::uint32_t* mag, const std::uint8_t* luma, int n, TileSums& sums);

void to_double_avx2(const std::uint8_t* src, int w, double* dst);
void vertical_avx2(const double* r0, const double* r1, const double* r2, const double* r3, int w, double* v);
void convert_vertical_avx2(const std::uint8_t* src0, const std::uint8_t* src1, double* r0, double* r1, const double* r2,
                           const double* r3, int w, double* v);
void hh_row_avx2(const double* v, int c0, int c1, std::uint64_t* out);
void hh_tally_avx2(const double* v, int c0, int c1, std::uint64_t* out, Tally& t);
double exact_hh_interior_avx2(const std::uint8_t* const rows[4], int c);

void screen_vertical_avx2(const std::uint8_t* a, const std::uint8_t* b, const SplitRow& tail, int w, const SplitRow& v);
void screen_tail_avx2(const std::uint8_t* a, const std::uint8_t* b, int w, const SplitRow& tail);
void screen_row_avx2(const SplitRow& v, int c0, int c1, std::uint32_t* out);
void screen_tally_avx2(const SplitRow& v, int c0, int c1, std::uint32_t base, std::uint32_t* out, ScreenTally& t);
std::size_t split_band_avx2(const ScreenTally& t, std::uint32_t lo, std::uint32_t hi, std::size_t& below,
                            std::uint32_t* band);

}  // namespace focusmeter::detail
