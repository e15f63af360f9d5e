// The pieces of `check` that need no executable: classification by
// content, folder expansion, JPEG completeness and the timeline fold.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "check/check.h"
#include "check/inputs.h"
#include "media/image_luma.h"
#include "test_media.h"

using namespace focusmeter;
using namespace focusmeter::report;
using namespace focusmeter::media;
using namespace focusmeter::check;
namespace fs = std::filesystem;

namespace {

struct GstOnce : ::testing::Environment {
  void SetUp() override { gst_init(nullptr, nullptr); }
};
const auto* const kGst = ::testing::AddGlobalTestEnvironment(new GstOnce);

std::vector<unsigned char> jpeg_bytes() {
  std::vector<unsigned char> buf;
  cv::imencode(".jpg", check_test::sharp_picture(), buf);
  return buf;
}

}  // namespace

TEST(Inputs, SniffsByContent) {
  const auto jpeg = jpeg_bytes();
  EXPECT_EQ(sniff_media_type(jpeg.data(), jpeg.size()), "image/jpeg");
  std::vector<unsigned char> png;
  cv::imencode(".png", check_test::sharp_picture(), png);
  EXPECT_EQ(sniff_media_type(png.data(), png.size()), "image/png");
  const std::string text = "hello, this is text\n";
  EXPECT_NE(sniff_media_type(text.data(), text.size()).rfind("image/", 0), 0u);
  EXPECT_EQ(sniff_media_type(nullptr, 0), "");
}

TEST(Inputs, ExpandsFoldersFilesAndUris) {
  const fs::path dir = fs::temp_directory_path() / ("fm-inputs-" + std::to_string(getpid()));
  fs::create_directories(dir / "sub");
  const auto jpeg = jpeg_bytes();
  std::ofstream(dir / "b.bin", std::ios::binary).write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size());
  std::ofstream(dir / "a.jpg") << "text";
  std::ofstream(dir / "notes.txt") << "text";
  std::ofstream(dir / ".hidden.jpg") << "x";
  std::ofstream(dir / "sub" / "c.jpg", std::ios::binary).write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size());

  auto flat = expand_inputs({dir.string()}, false);
  ASSERT_EQ(flat.size(), 2u);  // a.jpg (bad, named like an image), b.bin (a JPEG); sorted
  EXPECT_EQ(flat[0].source, (dir / "a.jpg").string());
  EXPECT_EQ(flat[0].kind, InputKind::Bad);
  EXPECT_EQ(flat[1].kind, InputKind::Image);
  EXPECT_EQ(flat[1].media_type, "image/jpeg");
  EXPECT_EQ(expand_inputs({dir.string()}, true).size(), 3u);

  auto named = expand_inputs({(dir / "notes.txt").string()}, false);  // named: reported, not skipped
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].kind, InputKind::Bad);

  auto uris = expand_inputs({"rtsp://127.0.0.1:1/x", "file://" + (dir / "b.bin").string(), "bad uri://"}, false);
  ASSERT_EQ(uris.size(), 3u);
  EXPECT_EQ(uris[0].kind, InputKind::Stream);
  EXPECT_EQ(uris[1].kind, InputKind::Image);
  EXPECT_EQ(uris[1].source, "file://" + (dir / "b.bin").string());
  EXPECT_EQ(uris[2].kind, InputKind::Bad);

  fs::create_directories(dir / "empty");
  auto empty = expand_inputs({(dir / "empty").string()}, false);
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0].kind, InputKind::Bad);
  fs::remove_all(dir);
}

// HEIF stills have no decoder here: refused at once by content, not sent
// to a pipeline to time out (issue 11).
TEST(Inputs, HeicAndAvifAreRefusedAtOnce) {
  const fs::path dir = fs::temp_directory_path() / ("fm-heif-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto write_ftyp = [&](const std::string& name, const std::string& brands) {
    std::string box = std::string("\0\0\0", 3) + static_cast<char>(8 + brands.size()) + "ftyp" + brands;
    box += std::string("\0\0\0\x10metadata-goes-h", 16) + std::string(2000, 'x');
    std::ofstream(dir / name, std::ios::binary) << box;
    return (dir / name).string();
  };
  const auto heic = expand_inputs({write_ftyp("photo.bin", std::string("heic\0\0\0\0mif1heic", 16))}, false);
  ASSERT_EQ(heic.size(), 1u);
  EXPECT_EQ(heic[0].kind, InputKind::Bad);
  EXPECT_EQ(heic[0].reason, "HEIC images are not supported");
  const auto avif = expand_inputs({write_ftyp("pic.avif", std::string("avif\0\0\0\0mif1miaf", 16))}, false);
  ASSERT_EQ(avif.size(), 1u);
  EXPECT_EQ(avif[0].reason, "AVIF images are not supported");
  // In a folder, a .heic is reported (named like media), not skipped.
  write_ftyp("IMG_0001.HEIC", std::string("mif1\0\0\0\0mif1heic", 16));
  fs::remove(dir / "photo.bin");
  fs::remove(dir / "pic.avif");
  const auto folder = expand_inputs({dir.string()}, false);
  ASSERT_EQ(folder.size(), 1u);
  EXPECT_EQ(folder[0].reason, "HEIC images are not supported");
  // An MP4 (isom) is still a video.
  const auto mp4 = expand_inputs({write_ftyp("clip.mp4", std::string("isom\0\0\x02\0isomiso2avc1mp41", 24))}, false);
  EXPECT_NE(mp4[0].reason, "HEIC images are not supported");
  fs::remove_all(dir);
}

TEST(Jpeg, CompletenessFindsTruncation) {
  const auto jpeg = jpeg_bytes();
  EXPECT_TRUE(media::jpeg_is_complete(jpeg.data(), jpeg.size()));
  EXPECT_FALSE(media::jpeg_is_complete(jpeg.data(), jpeg.size() / 2));
  EXPECT_FALSE(media::jpeg_is_complete(jpeg.data(), jpeg.size() - 2));
  auto trailing = jpeg;
  trailing.insert(trailing.end(), {0, 0, 0, 0});  // bytes after EOI are fine
  EXPECT_TRUE(media::jpeg_is_complete(trailing.data(), trailing.size()));
}

TEST(Png, CompletenessFindsTruncation) {
  std::vector<unsigned char> png;
  ASSERT_TRUE(cv::imencode(".png", check_test::sharp_picture(), png));
  EXPECT_TRUE(media::png_is_complete(png.data(), png.size()));
  EXPECT_FALSE(media::png_is_complete(png.data(), png.size() / 2));
  EXPECT_FALSE(media::png_is_complete(png.data(), png.size() - 1));  // IEND's CRC cut
  EXPECT_FALSE(media::png_is_complete(png.data(), 8));               // the signature alone
  auto trailing = png;
  trailing.insert(trailing.end(), {0, 0, 0, 0});  // bytes after IEND are fine
  EXPECT_TRUE(media::png_is_complete(trailing.data(), trailing.size()));
  // A truncated PNG gets its own reason, and nothing from libpng.
  media::LumaImage img;
  std::string error;
  testing::internal::CaptureStderr();
  EXPECT_FALSE(media::decode_image_bytes(png.data(), png.size() / 2, img, error));
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(error, "truncated or corrupt PNG (its chunks end before the IEND chunk)");
  EXPECT_TRUE(media::decode_image_bytes(png.data(), png.size(), img, error)) << error;
}

TEST(Timeline, FoldsSamplesIntoSegments) {
  const std::vector<Sample> samples = {
      {0, 0.1, Verdict::Clear}, {1, 0.2, Verdict::Clear}, {2, 0.9, Verdict::Blurry}, {3, 0.8, Verdict::Blurry}};
  report::Result r;
  fold_timeline(samples, 4.5, 0.5, r);
  ASSERT_EQ(r.timeline.size(), 4u);
  EXPECT_DOUBLE_EQ(r.timeline[0].end, 1);
  EXPECT_DOUBLE_EQ(r.timeline[3].end, 4.5);
  ASSERT_TRUE(r.blurry_share);
  EXPECT_DOUBLE_EQ(*r.blurry_share, 2.5 / 4.5);
  EXPECT_DOUBLE_EQ(*r.score, (0.1 + 0.2 + 0.9 + 0.8 * 1.5) / 4.5);
  EXPECT_EQ(*r.verdict, Verdict::Blurry);
  fold_timeline(samples, 4.5, 0.6, r);
  EXPECT_EQ(*r.verdict, Verdict::Clear);  // 56% BLURRY < 60%

  report::Result one;
  fold_timeline({{0, 0.7, Verdict::Blurry}}, 0, 0.5, one);  // a one-frame clip still has a verdict
  ASSERT_TRUE(one.verdict);
  EXPECT_EQ(*one.verdict, Verdict::Blurry);
  EXPECT_DOUBLE_EQ(*one.blurry_share, 1.0);
}
