// The header peek that refuses decompression bombs (common/image_header.h):
// real images of every format report their true size; rewritten headers
// claiming gigapixels are refused by decode_image_bytes and by /v1/analyze
// (422) before any decoder allocates for them.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "bombs.h"
#include "media/image_header.h"
#include "media/image_luma.h"
#include "serve/api.h"

namespace fc = focusmeter::media;

namespace {

std::optional<focusmeter::media::ImageSize> peek(const std::vector<unsigned char>& d) {
  return focusmeter::media::read_image_header_size(d.data(), d.size());
}

TEST(ImageHeader, ReadsTheTrueSizeOfEveryFormatOpenCvWrites) {
  for (const char* ext : {".jpg", ".png", ".webp", ".tiff", ".bmp", ".pgm", ".ppm", ".pfm", ".ras", ".hdr", ".pam"}) {
    const auto d = bombs::encode(ext, 37, 23);
    ASSERT_FALSE(d.empty()) << ext;
    const auto s = peek(d);
    ASSERT_TRUE(s.has_value()) << ext;
    EXPECT_EQ(s->width, 37u) << ext;
    EXPECT_EQ(s->height, 23u) << ext;
  }
}

TEST(ImageHeader, LosslessWebpToo) {
  cv::Mat m(19, 41, CV_8UC3, cv::Scalar(1, 2, 3));
  std::vector<unsigned char> d;
  cv::imencode(".webp", m, d, {cv::IMWRITE_WEBP_QUALITY, 101});  // > 100: lossless (VP8L)
  const auto s = peek(d);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->width, 41u);
  EXPECT_EQ(s->height, 19u);
}

TEST(ImageHeader, SeesTheClaimOfEachBomb) {
  EXPECT_EQ(peek(bombs::jpeg(30000, 30000))->pixels(), 900000000u);
  EXPECT_EQ(peek(bombs::png(30000, 30000))->pixels(), 900000000u);
  EXPECT_EQ(peek(bombs::webp(16383, 16383))->pixels(), 16383u * 16383u);
  EXPECT_EQ(peek(bombs::tiff(30000, 30000))->pixels(), 900000000u);
}

TEST(ImageHeader, UnknownOrCutShortIsNotASize) {
  const unsigned char junk[] = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_FALSE(focusmeter::media::read_image_header_size(junk, sizeof junk));
  EXPECT_FALSE(focusmeter::media::read_image_header_size(nullptr, 0));
  for (const char* ext : {".jpg", ".png", ".webp", ".tiff", ".bmp", ".pgm"}) {
    const auto d = bombs::encode(ext);
    for (std::size_t n = 0; n < 12; ++n) {
      // Every prefix is safe to read (ASan would catch an overread).
      (void)focusmeter::media::read_image_header_size(d.data(), n);
    }
  }
}

TEST(DecodeLimit, RefusesEveryBombWithTheSizeInTheReason) {
  const std::vector<std::pair<const char*, std::vector<unsigned char>>> cases = {
      {"jpeg", bombs::jpeg(30000, 30000)},
      {"png", bombs::png(30000, 30000)},
      {"webp", bombs::webp(16383, 16383)},
      {"tiff", bombs::tiff(30000, 30000)},
  };
  for (const auto& [name, d] : cases) {
    focusmeter::media::LumaImage img;
    std::string error;
    EXPECT_FALSE(focusmeter::media::decode_image_bytes(d.data(), d.size(), img, error)) << name;
    EXPECT_NE(error.find("image too large ("), std::string::npos) << name << ": " << error;
    EXPECT_NE(error.find("> 40000000 pixels"), std::string::npos) << name << ": " << error;
    EXPECT_TRUE(img.gray.empty()) << name;
  }
  focusmeter::media::LumaImage img;
  std::string error;
  const auto jpeg = bombs::jpeg(30000, 30000);
  focusmeter::media::decode_image_bytes(jpeg.data(), jpeg.size(), img, error);
  EXPECT_EQ(error, "image too large (30000\u00d730000 > 40000000 pixels, see --max-pixels)");
}

TEST(DecodeLimit, TheLimitIsAdjustableAndNormalImagesPass) {
  const auto d = bombs::encode(".png", 200, 100);  // 20 000 pixels
  focusmeter::media::LumaImage img;
  std::string error;
  EXPECT_TRUE(focusmeter::media::decode_image_bytes(d.data(), d.size(), img, error)) << error;
  focusmeter::media::set_max_image_pixels(19999);
  EXPECT_FALSE(focusmeter::media::decode_image_bytes(d.data(), d.size(), img, error));
  EXPECT_NE(error.find("200\u00d7100 > 19999"), std::string::npos) << error;
  focusmeter::media::set_max_image_pixels(20000);
  EXPECT_TRUE(focusmeter::media::decode_image_bytes(d.data(), d.size(), img, error)) << error;
  focusmeter::media::set_max_image_pixels(fc::kDefaultMaxImagePixels);
}

// Found by `make fuzz`: OpenCV 4.6's Radiance decoder leaks a descriptor per
// bad image; serve would run out of them after a few thousand uploads.
TEST(DecodeLimit, RadianceIsRefusedWithoutLeakingDescriptors) {
  auto open_fds = [] {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) n += !e.path().empty();
    return n;
  };
  const std::string hostile = "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 4 +X 4\n\x01\x01\x01\x01";
  const std::size_t before = open_fds();
  for (int i = 0; i < 50; ++i) {
    focusmeter::media::LumaImage img;
    std::string error;
    EXPECT_FALSE(focusmeter::media::decode_image_bytes(hostile.data(), hostile.size(), img, error));
    EXPECT_EQ(error, "not a decodable image (not JPEG, PNG, WebP, TIFF, BMP, PNM or Sun raster)");
  }
  EXPECT_EQ(open_fds(), before);
}

// Found by `make fuzz`: "P5#" is no PNM to OpenCV, which then hands the
// data to GDCM for the "DICM" at offset 128, and GDCM aborts the process.
TEST(DecodeLimit, DicomLookalikeIsRefusedBeforeOpenCv) {
  std::string data = "P5#\n0#\n#";
  data.resize(200, '\xae');
  data.replace(128, 4, "DICM");
  focusmeter::media::LumaImage img;
  std::string error;
  EXPECT_FALSE(focusmeter::media::decode_image_bytes(data.data(), data.size(), img, error));
  EXPECT_EQ(error, "not a decodable image (not JPEG, PNG, WebP, TIFF, BMP, PNM or Sun raster)");
}

TEST(DecodeLimit, AnalyzeAnswers422) {
  const auto d = bombs::jpeg(30000, 30000);
  const auto r = focusmeter::serve::analyze(nullptr, d.data(), d.size());
  EXPECT_EQ(r.status, 422u);
  const auto doc = nlohmann::json::parse(r.body);
  EXPECT_NE(doc["error"].get<std::string>().find("image too large (30000\u00d730000"), std::string::npos) << r.body;
  EXPECT_EQ(r.tally.undecodable, 1u);
}

}  // namespace
