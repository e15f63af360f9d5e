// Multi-scale Laplacian energy and edge sharpness: focus measures that do
// not scale with how much texture or contrast a scene has.
//
// Defocus removes the finest detail first. Comparing the Laplacian energy of
// the frame with that of its 2x and 4x box downscales asks "how much of the
// detail this scene has at coarse scales survives at the finest one?" - a
// ratio, so a busy scene and a plain one can be judged alike. Edge sharpness
// asks the same at the strongest edges only, where sensor noise matters least:
// a sharp step has a Laplacian as large as its gradient, a blurred one a much
// smaller one.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "focusmeter/features.h"
#include "frame_planes.h"
#include "kernels.h"
#include "padded_rows.h"

namespace focusmeter {
namespace detail {

void halve(const LumaView& in, BytePlane& out) {
  out.width = in.width() / 2;
  out.height = in.height() / 2;
  const std::size_t n = static_cast<std::size_t>(out.width) * out.height;
  // Every pixel is written below: a reused plane is only ever grown, never
  // cleared (a 1080p frame's half is half a megabyte per frame otherwise).
  if (out.pixels.size() < n) out.pixels.resize(n);
  const auto halve_row = kernels().halve_row;
  for (int y = 0; y < out.height; ++y)
    halve_row(in.row(2 * y), in.row(2 * y + 1), out.width, out.pixels.data() + static_cast<std::size_t>(y) * out.width);
}

BytePlane halve(const LumaView& in) {
  BytePlane p;
  halve(in, p);
  return p;
}

}  // namespace detail

using detail::BytePlane;
using detail::halve;

ScaleStats laplacian_scales(const LumaView& luma) {
  return laplacian_scales(luma, gradient_stats(luma).laplacian_variance);
}

ScaleStats laplacian_scales(const LumaView& luma, double full_variance) {
  ScaleStats s;
  s.full = full_variance;
  if (luma.width() < 2 || luma.height() < 2) return s;
  const BytePlane half = halve(luma);
  s.half = gradient_stats(half.view()).laplacian_variance;
  if (half.width < 2 || half.height < 2) return s;
  const BytePlane quarter = halve(half.view());
  s.quarter = gradient_stats(quarter.view()).laplacian_variance;
  return s;
}

namespace detail {

// The selection bar of edge_sharpness: the squared magnitude at the start
// of the 1024-wide bin that holds the `want`-th largest of the sampled
// values (every other pixel of every other row of `r`), at least 1.
//
// The want-th largest value itself, from the values above a rising bar
// (TopValues, kernels.h): most samples are below the bar and cost one
// comparison (eight at a time in the AVX2 kernel). Each time the buffer of
// twice `want` fills up, nth_element keeps the `want` largest and raises the
// bar to the least of them: linear in the samples even when every value is
// larger than the last. (The two histogram passes it replaces, coarse and
// fine, cost about three times as much on a 1080p frame with its tiles.)
std::uint32_t edge_cut(const GradientPlanes& p, const Rect& r, std::size_t want) {
  thread_local std::vector<std::uint32_t> buf;
  const std::size_t capacity = 2 * want + 62;
  if (buf.size() < capacity) buf.resize(capacity);  // grown, never cleared: only buf[0 .. count) is read
  TopValues top{buf.data(), capacity, want, 0, 0};
  const auto top_row = kernels().top_row;
  for (int y = r.top; y < r.top + r.height; y += 2) top_row(p.mag_row(y) + r.left, r.width, top);
  // Fewer than `want` values above 0: the want-th largest is 0.
  if (top.count < want) return 1;
  std::nth_element(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(want - 1),
                   buf.begin() + static_cast<std::ptrdiff_t>(top.count), std::greater<>());
  return std::max<std::uint32_t>(1, buf[want - 1] >> 10 << 10);
}

void top_values_add(TopValues& top, std::uint32_t v) {
  top.buf[top.count++] = v;
  if (top.count < top.capacity) return;
  std::nth_element(top.buf, top.buf + top.want - 1, top.buf + top.count, std::greater<>());
  top.least = top.buf[top.want - 1];
  top.count = top.want;
}

void top_row_portable(const std::uint32_t* row, int x, int n, TopValues& top) {
  for (; x < n; x += 2)
    if (row[x] > top.least) top_values_add(top, row[x]);
}

void bin_above_portable(const std::int16_t* lap, const std::uint32_t* mag, int x, int n, std::uint32_t bar,
                        EdgeBin* bins) {
  for (; x < n; ++x) {
    if (mag[x] < bar) continue;
    EdgeBin& b = bins[mag[x] >> 10];
    b.lap2 += static_cast<std::int64_t>(lap[x]) * lap[x];
    b.mag += mag[x];
    ++b.count;
  }
}

void gradient_planes(const LumaView& luma, GradientPlanes& out) { gradient_planes(luma, 0, luma.height(), out); }

void gradient_planes(const LumaView& luma, int top, int bottom, GradientPlanes& out) {
  const int w = luma.width();
  out.width = w;
  out.height = bottom - top;
  out.top = top;
  const std::size_t n = static_cast<std::size_t>(w) * out.height;
  // resize() keeps the storage of a reused object: zeroing happens once.
  if (out.lap.size() < n) {
    out.lap.resize(n);
    out.mag.resize(n);
  }
  if (n == 0) return;
  const Kernels& k = kernels();
  PaddedRows rows(luma, k);  // 3x3 window, as in gradient_stats.cpp
  for (int y = top; y < bottom; ++y) {
    const std::int16_t* d = rows.row(y + 1);  // lower row first: never evicts a needed row
    const std::int16_t* m = rows.row(y);
    const std::int16_t* u = rows.row(y - 1);
    const std::size_t at = static_cast<std::size_t>(y - top) * w;
    k.lap_and_mag(u, m, d, w, out.lap.data() + at, out.mag.data() + at);
  }
}

namespace {

// edge_sharpness from the sums over the selected pixels (grey levels): the
// Laplacian's, and the gradient's in central-difference units (the Scharr
// kernel answers 32 to a unit ramp).
double edge_value(std::int64_t lap_sq, std::int64_t mag_sq, std::int64_t selected, double sigma) {
  const double count = static_cast<double>(selected);
  const double lap2 = static_cast<double>(lap_sq);
  const double grad2 = static_cast<double>(mag_sq) / (32.0 * 32.0);  // mag is already squared
  if (count == 0) return 0;
  // Remove what white noise of deviation sigma adds: 20 sigma^2 to the
  // Laplacian (its taps squared sum to 20), 2 * 236/1024 sigma^2 to the
  // squared gradient (two Scharr components, taps squared sum to 236).
  const double s2 = (sigma * 255.0) * (sigma * 255.0);
  const double l = std::max(0.0, lap2 / count - 20.0 * s2);
  const double g = std::max(1e-12, grad2 / count - 2.0 * 236.0 / 1024.0 * s2);
  return std::sqrt(l / g);
}

// The percentile is sampled on every other pixel of every other row: a
// quarter of the pixels is plenty for a percentile.
std::size_t wanted_samples(int width, int height, double fraction) {
  const std::size_t sampled = static_cast<std::size_t>((height + 1) / 2) * static_cast<std::size_t>((width + 1) / 2);
  return std::max<std::size_t>(1, static_cast<std::size_t>(fraction * static_cast<double>(sampled)));
}

constexpr std::size_t kEdgeBins = (2u * 4080 * 4080 >> 10) + 1;  // |gx|, |gy| <= 16 * 255

}  // namespace

double edge_sharpness_in(const GradientPlanes& p, const Rect& r, double sigma, double fraction) {
  if (r.width <= 0 || r.height <= 0) return 0;
  // The squared magnitude above which the strongest `fraction` of pixels lie.
  const std::uint32_t cut = edge_cut(p, r, wanted_samples(r.width, r.height, fraction));
  std::int64_t lap_sq = 0, mag_sq = 0, selected = 0;
  const Kernels& k = kernels();
  if (r.left == 0 && r.width == p.width) {  // whole rows: one run
    const std::size_t at = static_cast<std::size_t>(r.top - p.top) * p.width;
    k.sums_above(p.lap.data() + at, p.mag.data() + at, static_cast<std::size_t>(r.height) * p.width, cut, lap_sq,
                 mag_sq, selected);
  } else {
    for (int y = r.top; y < r.top + r.height; ++y)
      k.sums_above(p.lap_row(y) + r.left, p.mag_row(y) + r.left, static_cast<std::size_t>(r.width), cut, lap_sq, mag_sq,
                   selected);
  }
  return edge_value(lap_sq, mag_sq, selected, sigma);
}

void FrameEdge::reset(int width, int height, double fraction) {
  width_ = width;
  height_ = height;
  next_row_ = 0;
  want_ = wanted_samples(width, height, fraction);
  if (top_buf_.size() < 2 * want_ + 62) top_buf_.resize(2 * want_ + 62);
  top_ = TopValues{top_buf_.data(), 2 * want_ + 62, want_, 0, 0};
  bins_.assign(kEdgeBins, EdgeBin{});  // 780 KB, cleared in place
}

void FrameEdge::add(const GradientPlanes& band) {
  const Kernels& k = kernels();
  // The band's samples first (the frame's: even rows and columns), so that
  // its pixels meet a bar that has seen them: the first band's would
  // otherwise nearly all be summed.
  for (int y = band.top + band.top % 2; y < band.top + band.height; y += 2) k.top_row(band.mag_row(y), width_, top_);
  // At or above the bar's bin (never a zero gradient: the cut is >= 1).
  const std::uint32_t bar = std::max<std::uint32_t>(1, top_.least >> 10 << 10);
  for (int y = band.top; y < band.top + band.height; ++y)
    k.bin_above(band.lap_row(y), band.mag_row(y), width_, bar, bins_.data());
  next_row_ = band.top + band.height;
}

double FrameEdge::value(double sigma) {
  if (width_ <= 0 || height_ <= 0) return 0;
  std::uint32_t cut = 1;  // fewer than `want` values above 0: the want-th largest is 0
  if (top_.count >= want_) {
    std::nth_element(top_buf_.begin(), top_buf_.begin() + static_cast<std::ptrdiff_t>(want_ - 1),
                     top_buf_.begin() + static_cast<std::ptrdiff_t>(top_.count), std::greater<>());
    cut = std::max<std::uint32_t>(1, top_buf_[want_ - 1] >> 10 << 10);
  }
  std::int64_t lap_sq = 0, mag_sq = 0, selected = 0;
  for (std::size_t b = cut >> 10; b < bins_.size(); ++b) {
    lap_sq += bins_[b].lap2;
    mag_sq += bins_[b].mag;
    selected += bins_[b].count;
  }
  return edge_value(lap_sq, mag_sq, selected, sigma);
}

void frame_planes(const LumaView& luma, FramePlanes& out) {
  out.luma = luma;
  if (luma.width() >= 2 && luma.height() >= 2)
    halve(luma, out.half);
  else
    out.half.width = out.half.height = 0;
  gradient_planes(out.half.view(), out.half_g);
  if (out.half.width >= 2 && out.half.height >= 2)
    halve(out.half.view(), out.quarter);
  else
    out.quarter.width = out.quarter.height = 0;
  gradient_planes(out.quarter.view(), out.quarter_g);
}

}  // namespace detail

double edge_sharpness(const LumaView& luma, double sigma, double fraction) {
  if (luma.empty()) return 0;
  thread_local detail::GradientPlanes planes;  // a 1080p frame's are 12 MB: allocated once per thread
  detail::gradient_planes(luma, planes);
  return detail::edge_sharpness_in(planes, Rect{0, 0, luma.width(), luma.height()}, sigma, fraction);
}

double edge_sharpness_2x(const LumaView& luma, double sigma) {
  if (luma.width() < 2 || luma.height() < 2) return 0;
  thread_local BytePlane half;  // a focus-map tile's, once per tile: reused
  halve(luma, half);
  return edge_sharpness(half.view(), sigma / 2);
}

}  // namespace focusmeter
