#include "media/image_header.h"

#include <cctype>
#include <cstring>
#include <string>

namespace focusmeter::media {
namespace {

// A bounds-checked view of the header bytes: every read past the end gives
// nullopt instead of touching memory.
class Bytes {
 public:
  Bytes(const unsigned char* d, std::size_t n) : d_(d), n_(n) {}
  std::size_t size() const { return n_; }
  bool has(std::size_t at, std::size_t len) const { return at <= n_ && len <= n_ - at; }
  bool equals(std::size_t at, const char* text) const {
    const std::size_t len = std::strlen(text);
    return has(at, len) && std::memcmp(d_ + at, text, len) == 0;
  }
  std::optional<std::uint64_t> be(std::size_t at, std::size_t len) const { return read(at, len, true); }
  std::optional<std::uint64_t> le(std::size_t at, std::size_t len) const { return read(at, len, false); }
  unsigned char operator[](std::size_t at) const { return d_[at]; }  // caller checked has()

 private:
  std::optional<std::uint64_t> read(std::size_t at, std::size_t len, bool big) const {
    if (!has(at, len)) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < len; ++i) v |= std::uint64_t{d_[at + i]} << (8 * (big ? len - 1 - i : i));
    return v;
  }
  const unsigned char* d_;
  std::size_t n_;
};

std::optional<ImageSize> sized(std::optional<std::uint64_t> w, std::optional<std::uint64_t> h) {
  if (!w || !h || *w == 0 || *h == 0 || *w > 0xFFFFFFFFu || *h > 0xFFFFFFFFu) return std::nullopt;
  return ImageSize{*w, *h};
}

// Markers from SOI up to the first frame header; APPn segments (EXIF and
// its thumbnail) are skipped by their length.
std::optional<ImageSize> jpeg(const Bytes& b) {
  std::size_t at = 2;
  while (b.has(at, 4)) {
    if (b[at] != 0xFF) return std::nullopt;
    const unsigned char marker = b[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // image data before any frame header
    const auto length = b.be(at + 2, 2);
    if (!length || *length < 2) return std::nullopt;
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) return sized(b.be(at + 7, 2), b.be(at + 5, 2));
    at += 2 + *length;
  }
  return std::nullopt;
}

std::optional<ImageSize> png(const Bytes& b) {
  if (!b.equals(12, "IHDR")) return std::nullopt;
  return sized(b.be(16, 4), b.be(20, 4));
}

std::optional<ImageSize> webp(const Bytes& b) {
  const std::size_t chunk = 12;
  if (b.equals(chunk, "VP8X")) {
    const auto w = b.le(chunk + 12, 3), h = b.le(chunk + 15, 3);
    if (!w || !h) return std::nullopt;
    return sized(*w + 1, *h + 1);
  }
  if (b.equals(chunk, "VP8L")) {
    if (!b.has(chunk + 8, 5) || b[chunk + 8] != 0x2F) return std::nullopt;
    const auto bits = b.le(chunk + 9, 4);
    if (!bits) return std::nullopt;
    return sized((*bits & 0x3FFF) + 1, ((*bits >> 14) & 0x3FFF) + 1);
  }
  if (b.equals(chunk, "VP8 ")) {
    // 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
    const std::size_t at = chunk + 8;
    if (!b.has(at, 10) || b[at + 3] != 0x9D || b[at + 4] != 0x01 || b[at + 5] != 0x2A) return std::nullopt;
    const auto w = b.le(at + 6, 2), h = b.le(at + 8, 2);
    return sized(*w & 0x3FFF, *h & 0x3FFF);
  }
  return std::nullopt;
}

// The first IFD's ImageWidth (256) and ImageLength (257), classic or BigTIFF.
std::optional<ImageSize> tiff(const Bytes& b) {
  const bool big_endian = b.equals(0, "MM");
  auto num = [&](std::size_t at, std::size_t len) { return big_endian ? b.be(at, len) : b.le(at, len); };
  const auto version = num(2, 2);
  if (!version || (*version != 42 && *version != 43)) return std::nullopt;
  const bool bigtiff = *version == 43;
  const auto ifd = bigtiff ? num(8, 8) : num(4, 4);
  if (!ifd || *ifd >= b.size()) return std::nullopt;
  const auto count = bigtiff ? num(*ifd, 8) : num(*ifd, 2);
  if (!count) return std::nullopt;
  const std::size_t entry_size = bigtiff ? 20 : 12;
  const std::size_t first = *ifd + (bigtiff ? 8 : 2);
  std::optional<std::uint64_t> w, h;
  for (std::uint64_t i = 0; i < *count && i < 4096; ++i) {
    const std::size_t e = first + i * entry_size;
    const auto tag = num(e, 2), type = num(e + 2, 2);
    if (!tag || !type) break;
    if (*tag != 256 && *tag != 257) continue;
    const std::size_t value_at = e + (bigtiff ? 12 : 8);
    // SHORT (3) values sit in the first two bytes of the value field; LONG (4) and LONG8 (16) fill it.
    std::optional<std::uint64_t> v;
    if (*type == 3)
      v = num(value_at, 2);
    else if (*type == 4)
      v = num(value_at, 4);
    else if (*type == 16 && bigtiff)
      v = num(value_at, 8);
    (*tag == 256 ? w : h) = v;
  }
  return sized(w, h);
}

std::optional<ImageSize> bmp(const Bytes& b) {
  const auto header = b.le(14, 4);
  if (!header) return std::nullopt;
  if (*header == 12) return sized(b.le(18, 2), b.le(20, 2));  // OS/2 BITMAPCOREHEADER
  const auto w = b.le(18, 4), h = b.le(22, 4);
  if (!w || !h) return std::nullopt;
  // Signed 32-bit; a negative height means top-down rows.
  const auto magnitude = [](std::uint64_t v) -> std::uint64_t {
    const auto s = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return s < 0 ? std::uint64_t(-std::int64_t{s}) : std::uint64_t(s);
  };
  return sized(magnitude(*w), magnitude(*h));
}

// P1-P6 and Pf/PF: white space and #-comments, then width and height. P7
// (PAM): WIDTH and HEIGHT lines.
std::optional<ImageSize> pnm(const Bytes& b) {
  std::size_t at = 2;
  auto number = [&]() -> std::optional<std::uint64_t> {
    while (b.has(at, 1)) {
      if (b[at] == '#') {
        while (b.has(at, 1) && b[at] != '\n') ++at;
      } else if (std::isspace(b[at])) {
        ++at;
      } else {
        break;
      }
    }
    std::uint64_t v = 0;
    std::size_t digits = 0;
    while (b.has(at, 1) && std::isdigit(b[at]) && digits < 11) v = v * 10 + (b[at++] - '0'), ++digits;
    if (digits == 0) return std::nullopt;
    return v;
  };
  if (b[1] == '7') {
    std::optional<std::uint64_t> w, h;
    for (std::size_t i = 0; i < 32 && (!w || !h); ++i) {
      while (b.has(at, 1) && std::isspace(b[at])) ++at;
      if (b.equals(at, "WIDTH")) {
        at += 5;
        w = number();
      } else if (b.equals(at, "HEIGHT")) {
        at += 6;
        h = number();
      } else {
        while (b.has(at, 1) && b[at] != '\n') ++at;
      }
    }
    return sized(w, h);
  }
  const auto w = number();
  const auto h = number();
  return sized(w, h);
}

// "#?RADIANCE" lines up to an empty one, then "-Y H +X W" (or another axis order).
std::optional<ImageSize> radiance(const Bytes& b) {
  std::size_t at = 0;
  std::size_t lines = 0;
  bool blank = false;
  while (b.has(at, 1) && !blank && lines < 256) {
    const std::size_t start = at;
    while (b.has(at, 1) && b[at] != '\n') ++at;
    blank = at == start;
    ++at;
    ++lines;
  }
  if (!blank) return std::nullopt;
  std::string line;
  while (b.has(at, 1) && b[at] != '\n' && line.size() < 64) line += static_cast<char>(b[at++]);
  char a1[3] = {}, a2[3] = {};
  unsigned long n1 = 0, n2 = 0;
  if (std::sscanf(line.c_str(), "%2s %lu %2s %lu", a1, &n1, a2, &n2) != 4) return std::nullopt;
  // The second axis is the one that runs along a scan line.
  const bool x_first = a1[1] == 'X';
  return sized(x_first ? n1 : n2, x_first ? n2 : n1);
}

}  // namespace

std::optional<ImageSize> read_image_header_size(const unsigned char* data, std::size_t size) {
  if (data == nullptr) return std::nullopt;
  const Bytes b(data, size);
  if (b.has(0, 3) && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return jpeg(b);
  if (b.equals(0, "\x89PNG\r\n\x1a\n")) return png(b);
  if (b.equals(0, "RIFF") && b.equals(8, "WEBP")) return webp(b);
  if (b.equals(0, "II") || b.equals(0, "MM")) return tiff(b);
  if (b.equals(0, "BM")) return bmp(b);
  if (b.has(0, 2) && b[0] == 'P' && (std::strchr("1234567fF", b[1]) != nullptr) && b[1] != '\0') return pnm(b);
  if (b.equals(0, "\x59\xA6\x6A\x95")) return sized(b.be(4, 4), b.be(8, 4));  // Sun raster
  if (b.equals(0, "#?RADIANCE") || b.equals(0, "#?RGBE")) return radiance(b);
  return std::nullopt;
}

bool is_supported_image_format(const unsigned char* data, std::size_t size) {
  if (data == nullptr) return false;
  const Bytes b(data, size);
  if (b.equals(128, "DICM")) return false;
  if (b.has(0, 3) && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return true;
  if (b.equals(0, "\x89PNG\r\n\x1a\n")) return true;
  if (b.equals(0, "RIFF") && b.equals(8, "WEBP")) return true;
  if (b.equals(0, "II\x2a\x00") || b.equals(0, "MM\x00\x2a") || b.equals(0, "II\x2b\x00") || b.equals(0, "MM\x00\x2b"))
    return true;
  if (b.equals(0, "BM")) return true;
  if (b.equals(0, "\x59\xA6\x6A\x95")) return true;
  if (b.has(0, 3) && b[0] == 'P' && std::strchr("1234567fF", b[1]) != nullptr && b[1] != '\0' && std::isspace(b[2]))
    return true;
  return false;
}

}  // namespace focusmeter::media
