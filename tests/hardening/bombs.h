// Decompression bombs for the tests: a real small image of each format,
// encoded by OpenCV, whose header is then rewritten to claim a huge size.
// The files stay a few hundred bytes; a decoder that trusted the header
// would allocate gigabytes.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace bombs {

// A w x h image of random pixels in `ext`'s format (gray for PGM, float
// for PFM and HDR; WebP lossy, as cameras write it).
// A small picture with something to judge (coloured blocks and thin lines
// on grey): judged CLEAR or BLURRY, never UNKNOWN like encode()'s uniform
// noise, which has no detail above its own noise.
inline std::vector<unsigned char> picture(const std::string& ext, int w, int h) {
  cv::Mat m(h, w, CV_8UC3, cv::Scalar(60, 60, 60));
  for (int i = 0; i < 8; ++i) {
    cv::rectangle(m, cv::Rect(i * w / 8, (i % 3) * h / 4, w / 10, h / 3), cv::Scalar(220, 200 - 20 * i, 40 + 20 * i),
                  -1);
    cv::line(m, cv::Point(0, i * h / 8), cv::Point(w - 1, h - 1 - i * h / 8), cv::Scalar(250, 250, 250), 1);
  }
  std::vector<unsigned char> out;
  cv::imencode(ext, m, out);
  return out;
}

inline std::vector<unsigned char> encode(const std::string& ext, int w = 16, int h = 16) {
  const bool gray = ext == ".pgm";
  const bool floats = ext == ".pfm" || ext == ".hdr";
  cv::Mat m(h, w, floats ? CV_32FC3 : gray ? CV_8UC1 : CV_8UC3);
  cv::randu(m, 0, floats ? 1 : 255);
  std::vector<unsigned char> out;
  std::vector<int> params;
  if (ext == ".webp") params = {cv::IMWRITE_WEBP_QUALITY, 80};
  cv::imencode(ext, m, out, params);
  return out;
}

inline void put_be16(std::vector<unsigned char>& d, std::size_t at, unsigned v) {
  d.at(at) = (v >> 8) & 0xFF;
  d.at(at + 1) = v & 0xFF;
}
inline void put_be32(std::vector<unsigned char>& d, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) d.at(at + i) = (v >> (24 - 8 * i)) & 0xFF;
}

inline std::uint32_t crc32(const unsigned char* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// A JPEG whose SOF claims w x h (the scan data still holds 16x16).
inline std::vector<unsigned char> jpeg(unsigned w, unsigned h) {
  std::vector<unsigned char> d = encode(".jpg");
  for (std::size_t i = 2; i + 9 < d.size(); ++i)
    if (d[i] == 0xFF && (d[i + 1] == 0xC0 || d[i + 1] == 0xC2)) {
      put_be16(d, i + 5, h);
      put_be16(d, i + 7, w);
      return d;
    }
  throw std::runtime_error("no SOF in the encoded JPEG");
}

// A PNG whose IHDR (with a correct CRC) claims w x h.
inline std::vector<unsigned char> png(std::uint32_t w, std::uint32_t h) {
  std::vector<unsigned char> d = encode(".png");
  put_be32(d, 16, w);
  put_be32(d, 20, h);
  put_be32(d, 29, crc32(d.data() + 12, 17));
  return d;
}

// A lossy WebP whose VP8 frame header claims w x h (14 bits each).
inline std::vector<unsigned char> webp(unsigned w, unsigned h) {
  std::vector<unsigned char> d = encode(".webp");
  if (d.size() < 30 || std::string(d.begin() + 12, d.begin() + 16) != "VP8 ")
    throw std::runtime_error("encoded WebP is not a simple lossy VP8 file");
  d.at(26) = w & 0xFF;
  d.at(27) = (w >> 8) & 0x3F;
  d.at(28) = h & 0xFF;
  d.at(29) = (h >> 8) & 0x3F;
  return d;
}

// A little-endian TIFF whose first IFD claims w x h.
inline std::vector<unsigned char> tiff(std::uint32_t w, std::uint32_t h) {
  std::vector<unsigned char> d = encode(".tiff");
  if (d.size() < 8 || d[0] != 'I') throw std::runtime_error("encoded TIFF is not little-endian");
  auto le = [&](std::size_t at, int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint32_t(d.at(at + i)) << (8 * i);
    return v;
  };
  const std::uint32_t ifd = le(4, 4);
  const std::uint32_t count = le(ifd, 2);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t e = ifd + 2 + 12 * i;
    const std::uint32_t tag = le(e, 2);
    if (tag != 256 && tag != 257) continue;
    const std::uint32_t v = tag == 256 ? w : h;
    d.at(e + 2) = 4;  // LONG
    d.at(e + 3) = 0;
    for (int k = 0; k < 4; ++k) d.at(e + 8 + k) = (v >> (8 * k)) & 0xFF;
  }
  return d;
}

}  // namespace bombs
