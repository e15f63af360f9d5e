// libFuzzer: the still-image decode wrapper (header peek, truncation checks,
// OpenCV's decoders behind them). Any bytes: a reason or an image, never a
// crash, and never an image larger than the pixel limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "media/image_header.h"
#include "media/image_luma.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool once = [] {
    // Small enough that a fuzzer-made header cannot make OpenCV allocate gigabytes.
    focusmeter::media::set_max_image_pixels(4'000'000);
    return true;
  }();
  (void)once;
  (void)focusmeter::media::read_image_header_size(data, size);
  focusmeter::media::LumaImage image;
  std::string error;
  if (focusmeter::media::decode_image_bytes(data, size, image, error)) {
    if (image.gray.empty() || image.gray.type() != CV_8UC1) std::abort();
  } else if (error.empty()) {
    std::abort();  // every refusal says why
  }
  return 0;
}
