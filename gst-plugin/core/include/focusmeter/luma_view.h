// focusmeter core: a non-owning view of an 8-bit luma plane.
//
// Every adapter (the GStreamer element, the CLI, the trainer, the HTTP
// service) turns what it has into a LumaView and hands it to the core. The
// view never owns or copies pixels; rows may be padded, so the distance
// between rows (stride, in bytes) is carried separately from the width.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace focusmeter {

struct Rect {
  int left = 0;
  int top = 0;
  int width = 0;   // 0 = to the right edge
  int height = 0;  // 0 = to the bottom edge
};

// `r` clipped to a width x height frame; width/height 0 in `r` mean "to the
// edge". The result may be empty (width or height 0) when `r` lies outside.
inline Rect clip_rect(const Rect& r, int width, int height) {
  auto clamp = [](int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); };
  Rect c;
  c.left = clamp(r.left, 0, width);
  c.top = clamp(r.top, 0, height);
  c.width = r.width > 0 ? clamp(r.width, 0, width - c.left) : width - c.left;
  c.height = r.height > 0 ? clamp(r.height, 0, height - c.top) : height - c.top;
  return c;
}

class LumaView {
 public:
  LumaView() = default;
  // `data` points at the first pixel of the first row; `stride` is the byte
  // distance between the starts of consecutive rows and must be >= width.
  LumaView(const std::uint8_t* data, int width, int height, std::ptrdiff_t stride)
      : data_(data), width_(width), height_(height), stride_(stride) {
    if (width < 0 || height < 0 || stride < width || (!data && width * height > 0))
      throw std::invalid_argument("LumaView: bad geometry");
  }

  const std::uint8_t* data() const { return data_; }
  int width() const { return width_; }
  int height() const { return height_; }
  std::ptrdiff_t stride() const { return stride_; }
  bool empty() const { return width_ == 0 || height_ == 0; }
  const std::uint8_t* row(int y) const { return data_ + static_cast<std::ptrdiff_t>(y) * stride_; }

  // The part of this view inside `r`, clipped to the view (never throws; an
  // ROI entirely outside the frame gives an empty view).
  LumaView cropped(const Rect& r) const {
    const Rect c = clip_rect(r, width_, height_);
    LumaView v;
    v.data_ = data_ ? row(c.top) + c.left : nullptr;
    v.width_ = c.width;
    v.height_ = c.height;
    v.stride_ = stride_;
    return v;
  }

 private:
  const std::uint8_t* data_ = nullptr;
  int width_ = 0;
  int height_ = 0;
  std::ptrdiff_t stride_ = 0;
};

}  // namespace focusmeter
