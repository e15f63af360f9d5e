// Decodes a still image (file or memory) into 8-bit luma for the core, the
// same way for `check`, `serve` and `train`:
//  - JPEG (most camera snapshots): the JPEG's own Y plane, decoded straight
//    to grayscale (no chroma upsampling or colour conversion: about half the
//    decode time, and the very luma the element reads from jpegdec's I420).
//    A JPEG without its end-of-image marker is an error: libjpeg would
//    "decode" a half-written snapshot by painting the missing rows grey.
//  - other formats: colour through cv::cvtColor(BGR2GRAY), the full-range
//    BT.601 fixed-point weights the element uses for RGB frames; 16-bit
//    images are scaled to 8 bits; alpha is dropped.
//  - Radiance HDR is refused (OpenCV 4.6's decoder leaks a descriptor on bad
//    input; found by `make fuzz`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>

#include "focusmeter/luma_view.h"

namespace focusmeter::media {

struct LumaImage {
  cv::Mat gray;  // CV_8UC1, owns the pixels
  LumaView view() const {
    return LumaView(gray.ptr<std::uint8_t>(), gray.cols, gray.rows, static_cast<std::ptrdiff_t>(gray.step[0]));
  }
};

// Images whose header declares more pixels than this are refused before
// decoding (image_header.h): "image too large (WxH > N pixels)". The default
// takes 8K (7680x4320 = 33.2 MP) with room to spare. Process-wide: check and
// serve set it once from --max-pixels before any decode.
constexpr std::uint64_t kDefaultMaxImagePixels = 40'000'000;
void set_max_image_pixels(std::uint64_t pixels);
std::uint64_t max_image_pixels();

// Both return false and set `error` to one human line on failure
// (missing file, not an image, truncated data, empty image, too large).
bool decode_image_file(const std::string& path, LumaImage& out, std::string& error);
bool decode_image_bytes(const void* data, std::size_t size, LumaImage& out, std::string& error);

// True when JPEG data ends its last scan with an end-of-image marker (FF D9
// after the last start-of-scan FF DA; entropy-coded data contains neither,
// so an embedded thumbnail or trailing bytes do not confuse it).
bool jpeg_is_complete(const unsigned char* data, std::size_t size);

// True when PNG data is a chain of whole chunks ending in IEND. A truncated
// PNG is refused with a clear reason before libpng sees it (libpng would
// print its own "input buffer is incomplete" line on stderr).
bool png_is_complete(const unsigned char* data, std::size_t size);

}  // namespace focusmeter::media
