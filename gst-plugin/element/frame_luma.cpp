#include "frame_luma.h"

#include <algorithm>

namespace focusmeter {

#define FOCUSMETER_FORMATS                                                                                  \
  "{ GRAY8, I420, YV12, NV12, NV21, Y41B, Y42B, Y444, NV16, NV24, YUY2, YVYU, UYVY, RGB, BGR, "             \
  "RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, P010_10LE, I420_10LE, I422_10LE, Y444_10LE, GRAY16_LE, " \
  "GRAY16_BE }"

const char* const kSupportedCaps = GST_VIDEO_CAPS_MAKE(FOCUSMETER_FORMATS);

namespace {

// Copies the Y samples of a packed 4:2:2 frame (every second byte).
void extract_packed_y(const GstVideoFrame* frame, const Rect& roi, std::vector<std::uint8_t>& out) {
  const auto* base = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(frame, 0));
  const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0);
  const int pstride = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, 0);
  const int offset = GST_VIDEO_FRAME_COMP_POFFSET(frame, 0);
  for (int y = 0; y < roi.height; ++y) {
    const std::uint8_t* src = base + static_cast<std::ptrdiff_t>(roi.top + y) * stride + offset;
    std::uint8_t* dst = out.data() + static_cast<std::size_t>(y) * roi.width;
    for (int x = 0; x < roi.width; ++x) dst[x] = src[(roi.left + x) * pstride];
  }
}

void rgb_to_luma(const GstVideoFrame* frame, const Rect& roi, std::vector<std::uint8_t>& out) {
  const auto* base = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(frame, 0));
  const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, 0);
  const int pstride = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, 0);
  const int ro = GST_VIDEO_FRAME_COMP_POFFSET(frame, GST_VIDEO_COMP_R);
  const int go = GST_VIDEO_FRAME_COMP_POFFSET(frame, GST_VIDEO_COMP_G);
  const int bo = GST_VIDEO_FRAME_COMP_POFFSET(frame, GST_VIDEO_COMP_B);
  for (int y = 0; y < roi.height; ++y) {
    const std::uint8_t* src = base + static_cast<std::ptrdiff_t>(roi.top + y) * stride + roi.left * pstride;
    std::uint8_t* dst = out.data() + static_cast<std::size_t>(y) * roi.width;
    for (int x = 0; x < roi.width; ++x, src += pstride)
      dst[x] = static_cast<std::uint8_t>((9798 * src[ro] + 19235 * src[go] + 3735 * src[bo] + 16384) >> 15);
  }
}

// 10- to 16-bit luma (P010_10LE, I420/I422/Y444_10LE, GRAY16_LE/BE): each
// sample read whole in its byte order, shifted down when the format keeps it
// in the high bits (P010), and scaled to the 8-bit range with rounding,
// round(v * 255 / max): the same feature scale as 8-bit video.
void high_depth_to_luma(const GstVideoFrame* frame, const Rect& roi, std::vector<std::uint8_t>& out) {
  const GstVideoFormatInfo* finfo = frame->info.finfo;
  const auto* base = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(frame, 0));
  const int stride = GST_VIDEO_FRAME_COMP_STRIDE(frame, 0);
  const int pstride = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, 0);
  const int shift = GST_VIDEO_FORMAT_INFO_SHIFT(finfo, 0);
  const std::uint32_t max = (1u << GST_VIDEO_FORMAT_INFO_DEPTH(finfo, 0)) - 1;
  const bool le = GST_VIDEO_FORMAT_INFO_IS_LE(finfo);
  for (int y = 0; y < roi.height; ++y) {
    const std::uint8_t* src = base + static_cast<std::ptrdiff_t>(roi.top + y) * stride + roi.left * pstride;
    std::uint8_t* dst = out.data() + static_cast<std::size_t>(y) * roi.width;
    for (int x = 0; x < roi.width; ++x, src += pstride) {
      const std::uint32_t raw = le ? src[0] | (src[1] << 8) : (src[0] << 8) | src[1];
      const std::uint32_t v = std::min<std::uint32_t>(raw >> shift, max);  // out-of-range samples clip
      dst[x] = static_cast<std::uint8_t>((v * 255 + max / 2) / max);
    }
  }
}

}  // namespace

LumaView frame_luma(const GstVideoFrame* frame, const Rect& roi, std::vector<std::uint8_t>& scratch) {
  const GstVideoFormatInfo* finfo = frame->info.finfo;
  if (GST_VIDEO_FORMAT_INFO_DEPTH(finfo, 0) > 8) {
    scratch.resize(static_cast<std::size_t>(roi.width) * roi.height);
    high_depth_to_luma(frame, roi, scratch);
    return LumaView(scratch.data(), roi.width, roi.height, roi.width);
  }
  if (GST_VIDEO_FORMAT_INFO_IS_RGB(finfo) || GST_VIDEO_FORMAT_INFO_PSTRIDE(finfo, 0) != 1) {
    scratch.resize(static_cast<std::size_t>(roi.width) * roi.height);
    if (GST_VIDEO_FORMAT_INFO_IS_RGB(finfo))
      rgb_to_luma(frame, roi, scratch);
    else
      extract_packed_y(frame, roi, scratch);
    return LumaView(scratch.data(), roi.width, roi.height, roi.width);
  }
  // GRAY8 and planar / semi-planar YUV: the Y plane in place, with its stride.
  const auto* y = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(frame, 0));
  const LumaView whole(y, GST_VIDEO_FRAME_COMP_WIDTH(frame, 0), GST_VIDEO_FRAME_COMP_HEIGHT(frame, 0),
                       GST_VIDEO_FRAME_COMP_STRIDE(frame, 0));
  return whole.cropped(roi);
}

}  // namespace focusmeter
