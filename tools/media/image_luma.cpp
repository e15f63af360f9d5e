#include "media/image_luma.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "media/image_header.h"
#include "media/regular_file.h"

namespace focusmeter::media {
namespace {

std::atomic<std::uint64_t> g_max_pixels{kDefaultMaxImagePixels};

bool to_gray(const cv::Mat& decoded, LumaImage& out, std::string& error) {
  if (decoded.empty()) {
    error = "not a decodable image (corrupt, truncated or unsupported format)";
    return false;
  }
  cv::Mat eight = decoded;
  if (decoded.depth() != CV_8U) decoded.convertTo(eight, CV_8U, decoded.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  switch (eight.channels()) {
    case 1:
      out.gray = eight;
      break;
    case 3:
      cv::cvtColor(eight, out.gray, cv::COLOR_BGR2GRAY);
      break;
    case 4:
      cv::cvtColor(eight, out.gray, cv::COLOR_BGRA2GRAY);
      break;
    default:
      error = "unsupported image with " + std::to_string(eight.channels()) + " channels";
      return false;
  }
  return true;
}

bool is_jpeg(const unsigned char* d, std::size_t size) {
  return size >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
}

bool is_png(const unsigned char* d, std::size_t size) {
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return size >= 8 && std::equal(kSignature, kSignature + 8, d);
}

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

void set_max_image_pixels(std::uint64_t pixels) { g_max_pixels = pixels; }
std::uint64_t max_image_pixels() { return g_max_pixels; }

bool png_is_complete(const unsigned char* data, std::size_t size) {
  if (!is_png(data, size)) return false;
  // Each chunk: 4-byte length, 4-byte type, data, 4-byte CRC.
  std::size_t at = 8;
  while (size - at >= 12) {
    const std::uint32_t length = be32(data + at);
    if (length > size - at - 12) return false;  // declared data runs past the end
    const bool iend = std::equal(data + at + 4, data + at + 8, "IEND");
    at += 12 + std::size_t{length};
    if (iend) return true;
  }
  return false;
}

bool jpeg_is_complete(const unsigned char* data, std::size_t size) {
  std::size_t last_sos = size;
  for (std::size_t i = size; i-- > 1;)
    if (data[i - 1] == 0xFF && data[i] == 0xDA) {
      last_sos = i - 1;
      break;
    }
  if (last_sos == size) return false;
  for (std::size_t i = last_sos + 2; i + 1 < size; ++i)
    if (data[i] == 0xFF && data[i + 1] == 0xD9) return true;
  return false;
}

bool decode_image_bytes(const void* data, std::size_t size, LumaImage& out, std::string& error) {
  if (size == 0) {
    error = "empty image data";
    return false;
  }
  const auto* bytes = static_cast<const unsigned char*>(data);
  // Before anything allocates for the picture: a few bytes may claim gigapixels.
  if (const auto declared = read_image_header_size(bytes, size); declared && declared->pixels() > max_image_pixels()) {
    error = "image too large (" + std::to_string(declared->width) + "\u00d7" + std::to_string(declared->height) +
            " > " + std::to_string(max_image_pixels()) + " pixels, see --max-pixels)";
    return false;
  }
  // Only the formats cameras and exports use reach OpenCV (image_header.h
  // says why: a leaking and an aborting decoder among the others).
  if (!is_supported_image_format(bytes, size)) {
    error = "not a decodable image (not JPEG, PNG, WebP, TIFF, BMP, PNM or Sun raster)";
    return false;
  }
  const bool jpeg = is_jpeg(bytes, size);
  if (jpeg && !jpeg_is_complete(bytes, size)) {
    error = "truncated or corrupt JPEG (no end-of-image marker after the image data)";
    return false;
  }
  if (is_png(bytes, size) && !png_is_complete(bytes, size)) {
    error = "truncated or corrupt PNG (its chunks end before the IEND chunk)";
    return false;
  }
  try {
    const cv::Mat buf(1, static_cast<int>(size), CV_8UC1, const_cast<void*>(data));
    const int flags = jpeg ? cv::IMREAD_GRAYSCALE : (cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR);
    return to_gray(cv::imdecode(buf, flags), out, error);
  } catch (const cv::Exception& e) {
    error = "not a decodable image (" + e.msg + ")";
    return false;
  }
}

bool decode_image_file(const std::string& path, LumaImage& out, std::string& error) {
  // Never open what is not a regular file (a FIFO would block, a device never end).
  if (std::string why = non_regular_file_reason(path); !why.empty()) {
    error = why;
    return false;
  }
  const int fd = open_regular_file(path, error);
  if (fd < 0) return false;
  std::vector<char> bytes;
  char chunk[64 * 1024];
  ssize_t n = 0;
  while ((n = ::read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  const int read_errno = n < 0 ? errno : 0;
  ::close(fd);
  if (read_errno != 0) {
    error = std::string("cannot read file: ") + std::strerror(read_errno);
    return false;
  }
  if (bytes.empty()) {
    error = "empty file";
    return false;
  }
  return decode_image_bytes(bytes.data(), bytes.size(), out, error);
}

}  // namespace focusmeter::media
