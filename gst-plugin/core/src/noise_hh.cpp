// The exact |HH| band (noise_hh.h) and its portable row kernels, which are
// the definition the AVX2 ones (src/x86/noise_hh_avx2.cpp) follow operation
// for operation.
#include "noise_hh.h"

#include <algorithm>
#include <cmath>

#include "db2.h"

namespace focusmeter::detail {

// --- Portable row kernels (kernels.h) ---------------------------------------

// Source row as img_as_float gives it: y * (1/255) in double, from column x.
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
// 2c+1-j all fall inside the row; writes the |HH| bit patterns.
void hh_row_portable(const double* v, int c, int c1, std::uint64_t* out) {
  for (; c < c1; ++c) {
    double s = kHi0 * v[2 * c + 1];
    s += kHi1 * v[2 * c];
    s += kHi2 * v[2 * c - 1];
    s += kHi3 * v[2 * c - 2];
    out[c] = abs_bits(s);
  }
}

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

namespace {

// |HH| from the source rows in filter order and the source columns in
// filter order (2c+1, 2c, 2c-1, 2c-2 after extension).
double hh_at(const std::uint8_t* const rows[4], const int cols[4]) {
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

}  // namespace

double exact_hh_interior_portable(const std::uint8_t* const rows[4], int c) {
  const int cols[4] = {2 * c + 1, 2 * c, 2 * c - 1, 2 * c - 2};
  return hh_at(rows, cols);
}

// --- HHRows -----------------------------------------------------------------

HHRows::HHRows(const LumaView& luma, ExactScratch& s, const Kernels& k) : luma_(luma), s_(s), k_(k) {
  w_ = luma.width();
  h_ = luma.height();
  rows_ = out_len(h_);
  cols_ = out_len(w_);
  // Interior columns: 2c-2 >= 0 and 2c+1 <= w-1.
  c0_ = std::min(1, cols_);
  c1_ = std::max(c0_, std::min(cols_, w_ / 2));
  const std::size_t wz = static_cast<std::size_t>(w_);
  s_.source.resize(4 * wz);
  s_.vert.resize(wz);
  s_.hh.resize(static_cast<std::size_t>(cols_));
}

const std::uint64_t* HHRows::row(int r) {
  const double* v = vertical_row(r);
  std::uint64_t* out = s_.hh.data();
  k_.hh_row(v, c0_, c1_, out);
  borders(v, out);
  return out;
}

void HHRows::tally_row(int r, Tally& t) {
  const double* v = vertical_row(r);
  std::uint64_t* out = s_.hh.data();
  k_.hh_tally(v, c0_, c1_, out, t);
  borders(v, out);
  tally_portable(out, static_cast<std::size_t>(c0_), t);
  tally_portable(out + c1_, static_cast<std::size_t>(cols_ - c1_), t);
}

// Source row i (before extension), converted once: output row r reads rows
// 2r-2 .. 2r+1, four consecutive rows, so a ring of four slots suffices.
const double* HHRows::source(int i) {
  const int r = symmetric(i, h_);
  double* dst = slot(r);
  if (slot_row_[r % 4] != r) {
    k_.to_double(luma_.row(r), w_, dst);
    slot_row_[r % 4] = r;
  }
  return dst;
}

// Vertical high-pass of output row r: source rows 2r+1, 2r, 2r-1, 2r-2.
const double* HHRows::vertical_row(int r) {
  double* v = s_.vert.data();
  // Row after row, the two newest source rows are converted in the same
  // sweep as the filter (not at the borders, nor after a jump).
  const int i0 = symmetric(2 * r + 1, h_), i1 = symmetric(2 * r, h_);
  const int i2 = symmetric(2 * r - 1, h_), i3 = symmetric(2 * r - 2, h_);
  if (i0 == i1 + 1 && i1 == i2 + 1 && i2 == i3 + 1 && slot_row_[i2 % 4] == i2 && slot_row_[i3 % 4] == i3) {
    k_.convert_vertical(luma_.row(i0), luma_.row(i1), slot(i0), slot(i1), slot(i2), slot(i3), w_, v);
    slot_row_[i0 % 4] = i0;
    slot_row_[i1 % 4] = i1;
    return v;
  }
  const double* a = source(2 * r - 2);
  const double* b = source(2 * r - 1);
  const double* c = source(2 * r);
  const double* d = source(2 * r + 1);
  k_.vertical(d, c, b, a, w_, v);
  return v;
}

// Border columns: taps through the symmetric extension, in filter order.
void HHRows::borders(const double* v, std::uint64_t* out) const {
  for (int col = 0; col < cols_; ++col) {
    if (col == c0_ && c1_ > c0_) col = c1_;
    if (col >= cols_) break;
    double s = 0;
    for (int j = 0; j < 4; ++j) s += kHi[j] * v[symmetric(2 * col + 1 - j, w_)];
    out[col] = abs_bits(s);
  }
}

// --- One coefficient ----------------------------------------------------------

double exact_hh(const LumaView& luma, int r, int c, const Kernels& k) {
  const int w = luma.width(), h = luma.height();
  const std::uint8_t* rows[4];
  for (int j = 0; j < 4; ++j) rows[j] = luma.row(reflect(2 * r + 1 - j, h));
  if (r >= 1 && 2 * r + 1 < h && c >= 1 && 2 * c + 1 < w) return k.exact_hh_interior(rows, c);
  int cols[4];
  for (int j = 0; j < 4; ++j) cols[j] = reflect(2 * c + 1 - j, w);
  return hh_at(rows, cols);
}

}  // namespace focusmeter::detail
