// The core's kernel table: every loop whose speed depends on the CPU's
// vector ISA, behind one struct of function pointers chosen once per process.
//
// Each ISA gets its own set of files compiled with its own flags (meson builds
// src/x86/*.cpp into a static library with -mavx2; nothing else in the core
// sees those flags), like libvmaf's feature/x86/ kernels. The portable table
// (kernels_portable.cpp and the algorithm files) is the definition: an ISA
// kernel does the same IEEE operations in the same order, so every table
// gives the same bits; integer kernels are exact on every path.
//
// Rules for the ISA files (tests/unit checks the first with nm):
//  - Define no inline function or template instance with external linkage:
//    the linker keeps one copy of each for the whole program and may keep the
//    -mavx2 one, which a CPU without AVX2 cannot run. So no std:: algorithms
//    or containers there (a unique_ptr of a type local to the file is fine:
//    everything it instantiates is local too); helpers go in an anonymous
//    namespace; the tails of rows call the portable kernels declared below
//    (or the portable table), or end with a vector that overlaps or masks
//    the pixels already done.
//  - No dynamic initialisers (they run at start-up on every CPU).
//  - No FMA (-mfma is never given): fused products round differently.
//
// This header is their whole contract: plain data and declarations only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace focusmeter::detail {

// --- gradient_stats ----------------------------------------------------------

// A frame as the kernels see it (no LumaView: its inline members must not be
// compiled with ISA flags, see above).
struct Frame {
  const std::uint8_t* data;
  std::ptrdiff_t stride;
  int width, height;
};

// Sums over the frame, in integer units (Laplacian and Scharr unscaled).
struct FrameSums {
  std::int64_t lap_sq = 0;
  std::int32_t lap_max = INT32_MIN;
  std::int64_t grad_sq = 0;  // sum of gx^2 + gy^2
  double grad_mag = 0;       // sum of sqrt(gx^2 + gy^2), in the order gradient_stats.cpp defines
  std::int64_t luma_sum = 0;
  std::int64_t luma_sq = 0;
};

// --- The focus map's tiles (tile_features.cpp) ---------------------------------

// Sums over a tile's pixels of the frame's planes (frame_planes.h).
struct TileSums {
  std::int64_t lap_sum = 0, lap_sq = 0;  // Laplacian, integer units
  std::int32_t lap_max = INT32_MIN;
  double mag_sum = 0;   // sum of gx^2 + gy^2 (exact: integers far below 2^53)
  double mag_root = 0;  // sum of sqrt(gx^2 + gy^2), in the order row_loops.inc defines
  std::int64_t luma_sum = 0, luma_sq = 0;
};

// --- noise_sigma: the exact pass ----------------------------------------------

// An inclusive range of |HH| bit patterns. lo >= 1, so zeros are never in it.
struct Window {
  std::uint64_t lo = 1;
  std::uint64_t hi = 0;  // empty
};

// What a full pass learns: how many values lie below the window and which
// lie inside it. `keep` has room for every value the pass can keep, plus a
// vector kernel's overhang of three.
struct Tally {
  Window window;
  std::uint64_t* keep = nullptr;
  std::size_t total = 0;
  std::size_t zeros = 0;
  std::size_t below = 0;  // below the window, zeros included
  std::size_t kept = 0;   // inside the window, at keep[0 .. kept)
};

// --- noise_sigma: the float screen ----------------------------------------------

// A vertically filtered row kept as two half rows, its even columns and its
// odd ones (noise_screen.cpp says why).
struct SplitRow {
  float* even;  // column 2j at [j]
  float* odd;   // column 2j+1 at [j]
};

// What a screening pass learns: how many keys lie below the window [lo, hi]
// (in key order), and which lie inside it, with their positions
// (r * cols + c); and the positions of the keys that may be exact zeros.
// `keys` and `pos` have room for every value the pass can keep, plus a
// vector kernel's overhang of seven.
struct ScreenTally {
  std::uint32_t lo = 1;  // above the near-zero key: near-zero keys count as below
  std::uint32_t hi = 0;
  std::uint32_t near_zero_key = 0;  // keys at or below it may be exact zeros
  std::uint32_t* keys = nullptr;
  std::uint32_t* pos = nullptr;
  std::vector<std::uint32_t>* near_zero = nullptr;
  std::size_t total = 0;
  std::size_t below = 0;  // below the window, near-zero ones included
  std::size_t kept = 0;   // inside the window, at keys/pos[0 .. kept)
};

// --- edge_sharpness's selection (scale_features.cpp) ---------------------------

// Collects the values that may be among the `want` largest of a region:
// those above `least` go to buf[0 .. count); when buf is full
// (top_values_add), only the `want` largest stay and `least` becomes the
// want-th largest so far. Plain data: the ISA kernels only read `least`
// and hand larger values to top_values_add.
struct TopValues {
  std::uint32_t* buf = nullptr;
  std::size_t capacity = 0;  // > want
  std::size_t want = 0;
  std::size_t count = 0;
  std::uint32_t least = 0;
};

// A frame's edge_sharpness sums, per 1024-wide bin of the squared magnitude
// (FrameEdge, frame_planes.h): bin b holds the pixels with mag >> 10 == b.
struct EdgeBin {
  std::int64_t lap2 = 0, mag = 0, count = 0;
};

// --- The table -------------------------------------------------------------------

struct Kernels {
  const char* isa;  // "portable" or "avx2"

  // Plain loops (row_loops.inc defines them; AVX2: src/x86/*_rows_avx2.cpp).
  void (*widen_row)(const std::uint8_t* src, int w, std::int16_t* dst);
  void (*halve_row)(const std::uint8_t* a, const std::uint8_t* b, int w2, std::uint8_t* out);
  void (*lap_and_mag)(const std::int16_t* u, const std::int16_t* m, const std::int16_t* d, int w, std::int16_t* lap,
                      std::uint32_t* mag);
  void (*sums_above)(const std::int16_t* lap, const std::uint32_t* mag, std::size_t n, std::uint32_t cut,
                     std::int64_t& lap2, std::int64_t& mag2, std::int64_t& count);
  // Every other value of row[0 .. n) (row[0], row[2], ...) added to `top`.
  void (*top_row)(const std::uint32_t* row, int n, TopValues& top);
  // The sum and the sum of squares of a row of Laplacians (n <= 8192),
  // added to `sum` and `sum_sq` (tile_features.cpp: laplacian_variance_in).
  void (*lap_sums)(const std::int16_t* lap, int n, std::int64_t& sum, std::int64_t& sum_sq);
  // The pixels of a row with mag >= bar (bar >= 1) added to their bins.
  void (*bin_above)(const std::int16_t* lap, const std::uint32_t* mag, int n, std::uint32_t bar, EdgeBin* bins);
  void (*blur_step)(const std::uint8_t* cur, const std::uint8_t* prev, const std::uint8_t* ahead,
                    const std::uint8_t* behind, int n, std::int64_t& d, std::int64_t& v);
  // One row of a tile: `lap`, `mag`, `luma` at the tile's first pixel, `n`
  // pixels, added to `sums`.
  void (*tile_row)(const std::int16_t* lap, const std::uint32_t* mag, const std::uint8_t* luma, int n, TileSums& sums);

  // gradient_stats.cpp: the one pass over the frame, added to `sums`.
  void (*frame_sums)(const Frame& frame, FrameSums& sums);

  // noise_hh.cpp: rows of |HH| in double. `rows` are the source rows
  // 2r+1, 2r, 2r-1, 2r-2 (filter order).
  void (*to_double)(const std::uint8_t* src, int w, double* dst);
  void (*vertical)(const double* r0, const double* r1, const double* r2, const double* r3, int w, double* v);
  // Converts src0, src1 into r0, r1 and filters r0..r3 in one sweep.
  void (*convert_vertical)(const std::uint8_t* src0, const std::uint8_t* src1, double* r0, double* r1, const double* r2,
                           const double* r3, int w, double* v);
  // |HH| bit patterns of the interior outputs [c0, c1) into out[c0 .. c1).
  void (*hh_row)(const double* v, int c0, int c1, std::uint64_t* out);
  // The same counted into `t` (out is scratch for the row).
  void (*hh_tally)(const double* v, int c0, int c1, std::uint64_t* out, Tally& t);
  // |HH| of one output whose sixteen taps lie inside the frame.
  double (*exact_hh_interior)(const std::uint8_t* const rows[4], int c);

  // noise_screen.cpp: rows of screened keys in float.
  void (*screen_vertical)(const std::uint8_t* a, const std::uint8_t* b, const SplitRow& tail, int w, const SplitRow& v);
  void (*screen_tail)(const std::uint8_t* a, const std::uint8_t* b, int w, const SplitRow& tail);
  void (*screen_row)(const SplitRow& v, int c0, int c1, std::uint32_t* out);
  void (*screen_tally)(const SplitRow& v, int c0, int c1, std::uint32_t base, std::uint32_t* out, ScreenTally& t);
  // Of the kept keys: how many lie below lo (added to `below`), and the
  // positions of those in [lo, hi] written to band[0 ..) (room for kept + 8);
  // returns how many.
  std::size_t (*split_band)(const ScreenTally& t, std::uint32_t lo, std::uint32_t hi, std::size_t& below,
                            std::uint32_t* band);
};

// The table in use: the best the CPU runs, unless FOCUSMETER_KERNELS=portable
// was set when the process first asked, or force_portable_kernels(true).
// Fetch it once per frame, not per row.
const Kernels& kernels();

// Tests run every kernel both ways on one machine: true selects the portable
// table until called with false.
void force_portable_kernels(bool portable);

// Every table this build and CPU can run, portable first (a test checks that
// the AVX2 one is among them where the CPU has it).
std::vector<const Kernels*> available_kernels();

const Kernels& portable_kernels();
#if defined(FOCUSMETER_HAVE_AVX2)
const Kernels& avx2_kernels();  // src/x86/kernels_avx2.cpp
#endif

// --- Portable kernels the ISA kernels finish their rows with -----------------------

// Adds v (> top.least) to `top` (scale_features.cpp).
void top_values_add(TopValues& top, std::uint32_t v);
void top_row_portable(const std::uint32_t* row, int x, int n, TopValues& top);
void lap_sums_portable(const std::int16_t* lap, int x, int n, std::int64_t& sum, std::int64_t& sum_sq);
void bin_above_portable(const std::int16_t* lap, const std::uint32_t* mag, int x, int n, std::uint32_t bar,
                        EdgeBin* bins);

void to_double_portable(const std::uint8_t* src, int x, int w, double* dst);
void vertical_portable(const double* r0, const double* r1, const double* r2, const double* r3, int x, int w, double* v);
void hh_row_portable(const double* v, int c0, int c1, std::uint64_t* out);
void tally_portable(const std::uint64_t* v, std::size_t n, Tally& t);
double exact_hh_interior_portable(const std::uint8_t* const rows[4], int c);
void frame_sums_portable(const Frame& frame, FrameSums& sums);
void screen_vertical_portable(const std::uint8_t* a, const std::uint8_t* b, const SplitRow& tail, int x, int w,
                              const SplitRow& v);
void screen_tail_portable(const std::uint8_t* a, const std::uint8_t* b, int x, int w, const SplitRow& tail);
void screen_row_portable(const SplitRow& v, int c0, int c1, std::uint32_t* out);
void screen_tally_portable(const std::uint32_t* key, std::uint32_t base, int c0, int c1, ScreenTally& t);
std::size_t split_band_portable(const ScreenTally& t, std::size_t i, std::uint32_t lo, std::uint32_t hi,
                                std::size_t& below, std::uint32_t* band, std::size_t m);
// Rare: lanes of `mask` at outputs at .. at+7 may be exact zeros.
void note_near_zero(int mask, std::uint32_t at, std::vector<std::uint32_t>& out);

}  // namespace focusmeter::detail
