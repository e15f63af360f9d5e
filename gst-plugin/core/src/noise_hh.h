// The diagonal detail band HH of pywt.dwtn(img, 'db2', mode='symmetric') in
// double precision, exactly as pywt computes it (axis 0 first, taps summed in
// filter order, input scaled as y * (1/255)): one output row at a time
// (HHRows), or one coefficient (exact_hh). Values are handed out as the bit
// patterns of |HH| (db2.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "focusmeter/luma_view.h"
#include "kernels.h"

namespace focusmeter::detail {

// Buffers reused across calls on the same thread: fresh multi-kilobyte (and,
// for the kept values, up to multi-megabyte) buffers would page-fault on
// every frame.
struct ExactScratch {
  std::vector<double> source;  // four converted source rows, a ring
  std::vector<double> vert;    // one vertically filtered row
  std::vector<std::uint64_t> hh;
  std::vector<std::uint64_t> keep;
  std::vector<std::uint32_t> bins;
};

// pywt.dwt_coeff_len(n, 4, 'symmetric'): HH is out_len(h) x out_len(w).
inline int out_len(int n) { return (n + 3) / 2; }

// The |HH| band, one output row at a time.
class HHRows {
 public:
  HHRows(const LumaView& luma, ExactScratch& s, const Kernels& k);

  int rows() const { return rows_; }
  std::size_t cols() const { return static_cast<std::size_t>(cols_); }

  // |HH| bit patterns of output row r (cols() of them, in no particular order).
  const std::uint64_t* row(int r);

  // Output row r counted into `t`.
  void tally_row(int r, Tally& t);

 private:
  const double* source(int i);
  const double* vertical_row(int r);
  double* slot(int row) { return s_.source.data() + static_cast<std::size_t>(row % 4) * static_cast<std::size_t>(w_); }
  void borders(const double* v, std::uint64_t* out) const;

  const LumaView& luma_;
  ExactScratch& s_;
  const Kernels& k_;
  int w_, h_, rows_, cols_, c0_, c1_;
  int slot_row_[4] = {-1, -1, -1, -1};
};

// |HH| at output row r, column c, as pywt computes it (and as HHRows does):
// the four vertical taps of each of the four source columns in filter order,
// then the four horizontal taps in filter order, on y * (1/255).
double exact_hh(const LumaView& luma, int r, int c, const Kernels& k);

}  // namespace focusmeter::detail
