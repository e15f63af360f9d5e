// Decodes a still image (file or memory) into 8-bit luma for the core.
//
// Colour images are converted with cv::cvtColor(BGR2GRAY), the same
// full-range BT.601 fixed-point weights the element uses for RGB frames, so
// an image gives the same features through `check`, `serve` and `train` as
// through a pipeline. 16-bit images are scaled to 8 bits; alpha is dropped.
#pragma once

#include <cstddef>
#include <opencv2/core.hpp>
#include <string>

#include "focusmeter/luma_view.h"

namespace focusmeter::cli {

struct LumaImage {
  cv::Mat gray;  // CV_8UC1, owns the pixels
  LumaView view() const {
    return LumaView(gray.ptr<std::uint8_t>(), gray.cols, gray.rows, static_cast<std::ptrdiff_t>(gray.step[0]));
  }
};

// Both return false and set `error` to one human line on failure
// (missing file, not an image, truncated data, empty image).
bool decode_image_file(const std::string& path, LumaImage& out, std::string& error);
bool decode_image_bytes(const void* data, std::size_t size, LumaImage& out, std::string& error);

}  // namespace focusmeter::cli
