// Whole-frame planes, private to the core: the 2x and 4x box downscales and
// the per-pixel Laplacian and Scharr magnitude of each, computed once per
// frame. The frame's multi-scale features and every tile of the focus map
// (tile_features.h) read them, so a frame's pixels are filtered once
// whatever the number of tiles.
#pragma once

#include <cstdint>
#include <vector>

#include "focusmeter/luma_view.h"
#include "kernels.h"

namespace focusmeter::detail {

// An owned 8-bit plane.
struct BytePlane {
  std::vector<std::uint8_t> pixels;
  int width = 0, height = 0;
  LumaView view() const { return LumaView(pixels.data(), width, height, width); }
};

// 2x2 box average with rounding; an odd last row or column is dropped. Into
// `out`, reusing its storage (pixels may hold more than width x height).
void halve(const LumaView& in, BytePlane& out);
BytePlane halve(const LumaView& in);

// The Laplacian 4c - n - s - e - w (signed, integer units) and the squared
// unnormalised Scharr magnitude gx^2 + gy^2 of the pixels of rows
// [top, top + height) of a view, the view's borders reflected as scipy's
// 'reflect' (as in gradient_stats.cpp). Rows are addressed in the view's
// coordinates.
struct GradientPlanes {
  std::vector<std::int16_t> lap;
  std::vector<std::uint32_t> mag;
  int width = 0, height = 0;
  int top = 0;  // the view's row held first

  const std::int16_t* lap_row(int y) const { return lap.data() + static_cast<std::size_t>(y - top) * width; }
  const std::uint32_t* mag_row(int y) const { return mag.data() + static_cast<std::size_t>(y - top) * width; }
};

// Fills `out` (reusing its storage) with every row of `luma` ...
void gradient_planes(const LumaView& luma, GradientPlanes& out);
// ... or with rows [top, bottom) only: a band of tiles, small enough to stay
// in cache while its tiles are measured.
void gradient_planes(const LumaView& luma, int top, int bottom, GradientPlanes& out);

// edge_sharpness (features.h) over the pixels of `r` (inside the planes):
// the percentile is sampled on every other pixel of every other row from
// r's top left corner. On the whole planes of a view it is exactly
// edge_sharpness(view, sigma, fraction).
double edge_sharpness_in(const GradientPlanes& planes, const Rect& r, double sigma, double fraction = 0.01);

// Its selection bar over `r`: the squared magnitude at the start of the
// 1024-wide bin holding the `want`-th largest sampled value, at least 1.
std::uint32_t edge_cut(const GradientPlanes& planes, const Rect& r, std::size_t want);

// edge_sharpness_in over a whole view, from its full-resolution planes
// handed over band by band, top to bottom (judge_frame: the focus map's
// bands), so that they are never held whole: the same value as
// edge_sharpness_in on the whole planes. While the rows go by, the sampled
// values feed the bar (edge_cut's TopValues), and every pixel at or above
// the bar's 1024-wide bin is summed into its bin (EdgeBin, kernels.h); the
// bar only rises, so every pixel above the final cut was summed.
class FrameEdge {
 public:
  // Starts a view of width x height over (storage is kept between frames).
  void reset(int width, int height, double fraction = 0.01);
  // The rows [band.top, band.top + band.height), the next ones in order.
  void add(const GradientPlanes& band);
  // Every row added: the frame's edge_sharpness for noise `sigma`.
  bool complete() const { return next_row_ == height_; }
  double value(double sigma);

 private:
  int width_ = 0, height_ = 0, next_row_ = 0;
  std::size_t want_ = 1;
  std::vector<std::uint32_t> top_buf_;
  TopValues top_;
  std::vector<EdgeBin> bins_;
};

// Everything the focus map's tiles read: the frame, its downscales and
// their gradient planes. The downscales' planes are whole (a 1080p frame's
// half is 3 MB); the full-resolution ones, `full_g`, are filled by the
// caller: whole when the frame's own edge_sharpness needs them too
// (judge_frame), else one band of tiles at a time, which stays in cache.
struct FramePlanes {
  LumaView luma;
  BytePlane half, quarter;  // empty when the frame (or the half) is under 2 x 2
  GradientPlanes full_g, half_g, quarter_g;
};

// Fills all but full_g.
void frame_planes(const LumaView& luma, FramePlanes& out);

}  // namespace focusmeter::detail
