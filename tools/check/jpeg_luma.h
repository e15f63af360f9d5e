// JPEG specifics for `check`, where most inputs are camera JPEGs:
//  - completeness: libjpeg (through OpenCV) "decodes" a truncated JPEG by
//    filling the missing rows with grey and only warns; a half-written
//    snapshot must be an error, not a frame with a soft bottom half.
//  - speed: decoding straight to grayscale hands back the JPEG's own Y
//    plane (no chroma upsampling or colour conversion): about half the
//    decode time of colour-then-cvtColor on a 1080p photo (docs/check.md),
//    and the same luma the focusmeter element reads from jpegdec's I420.
#pragma once

#include <cstddef>
#include <string>

#include "common/image_luma.h"

namespace focusmeter::cli::check {

// True when the data ends its last scan with an end-of-image marker (FF D9
// after the last start-of-scan FF DA; entropy-coded data cannot contain
// either, so an embedded thumbnail or trailing bytes do not confuse it).
bool jpeg_is_complete(const unsigned char* data, std::size_t size);

// Reads and decodes a JPEG file to its luma; false + one line on failure
// (unreadable, truncated, corrupt).
bool decode_jpeg_luma_file(const std::string& path, LumaImage& out, std::string& error);

}  // namespace focusmeter::cli::check
