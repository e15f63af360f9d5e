// Adapts a mapped GstVideoFrame into the core's LumaView.
//
// Planar and semi-planar YUV and GRAY8 are viewed in place (the Y plane with
// its real stride). Packed formats (YUY2 family, RGB family) are converted
// into `scratch`, region of interest only: Y is extracted as is, RGB goes
// through full-range BT.601 luma with OpenCV's fixed-point weights,
//   Y = (9798 R + 19235 G + 3735 B + 16384) >> 15,
// so the result equals cv::cvtColor(..., COLOR_RGB2GRAY) bit for bit.
// 10- to 16-bit formats (P010_10LE, I420/I422/Y444_10LE, GRAY16_LE/BE) are
// read at full precision and scaled to 8 bits with rounding,
// Y8 = round(Y * 255 / (2^depth - 1)), into `scratch`: the core's features
// are defined on 8-bit luma, and this keeps 10-bit video on the same feature
// scale (tests/element/formats_test.cpp states the tolerance).
#pragma once

#include <gst/video/video.h>

#include <cstdint>
#include <vector>

#include "focusmeter/luma_view.h"

namespace focusmeter {

// The caps string the element accepts (formats listed in frame_luma.cpp).
extern const char* const kSupportedCaps;

// The luma of `roi` (already clipped to the frame) in `frame`.
LumaView frame_luma(const GstVideoFrame* frame, const Rect& roi, std::vector<std::uint8_t>& scratch);

}  // namespace focusmeter
