// The AVX2 kernel table (built with -mavx2, like every file here; chosen by
// kernels.cpp only on CPUs that have AVX2).
#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "x86/kernels_avx2.h"

namespace focusmeter::detail {
namespace avx2 {
#include "row_loops.inc"
}  // namespace avx2

namespace {

constexpr Kernels kAvx2 = {
    "avx2",           avx2::widen_row,        halve_row_avx2,
    lap_and_mag_avx2, sums_above_avx2,        top_row_avx2,
    lap_sums_avx2,    bin_above_avx2,         blur_step_avx2,
    tile_row_avx2,    frame_sums_avx2,        to_double_avx2,
    vertical_avx2,    convert_vertical_avx2,  hh_row_avx2,
    hh_tally_avx2,    exact_hh_interior_avx2, screen_vertical_avx2,
    screen_tail_avx2, screen_row_avx2,        screen_tally_avx2,
    split_band_avx2,
};

}  // namespace

const Kernels& avx2_kernels() { return kAvx2; }

}  // namespace focusmeter::detail
