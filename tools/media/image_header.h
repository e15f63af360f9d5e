// Reads an image's size from its header, without decoding it, so that a
// small file claiming a huge picture (a "decompression bomb": 2 KB of JPEG
// saying 30000x30000 costs libjpeg 8 GB and 20 s) is refused before any
// decoder allocates for it.
//
// Knows the formats OpenCV decodes from camera snapshots and exports: JPEG
// (any SOF), PNG, WebP (VP8, VP8L, VP8X), TIFF and BigTIFF (first page, the
// one OpenCV reads), BMP, PNM/PAM/PFM, Sun raster and Radiance HDR. Pure and
// bounds-checked: any byte string is a valid input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace focusmeter::media {

struct ImageSize {
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  std::uint64_t pixels() const { return width * height; }  // both < 2^32: no overflow
};

// The size the header declares; nullopt for an unknown format or a header
// too short or too odd to read (the decoder then judges the data itself).
std::optional<ImageSize> read_image_header_size(const unsigned char* data, std::size_t size);

// True for the formats above only, recognised the way OpenCV's own decoders
// recognise them (a PNM magic must be followed by white space), and never
// for data that also carries DICOM's "DICM" at offset 128. Everything else
// is kept away from OpenCV: its Radiance decoder leaks descriptors and its
// DICOM decoder (GDCM) aborts the process on bad input (both found by
// `make fuzz`), and no camera writes those formats.
bool is_supported_image_format(const unsigned char* data, std::size_t size);

}  // namespace focusmeter::media
