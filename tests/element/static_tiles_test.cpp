// Overlays in streams through the element (focusmeter/static_tiles.h): a
// crisp banner that stays the same (identical, or re-coded like an
// encoder's keyframes) while the defocused scene behind the rest of the
// picture changes is left out of the vote after kStaticFrames analysed
// frames, reported in `map-overlay`; a flush forgets the history.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "focusmeter/static_tiles.h"
#include "focusmeter_message.h"
#include "harness_util.h"

using namespace fmtest;

namespace {

constexpr GstClockTime kFrame = 40 * GST_MSECOND;
constexpr int kWidth = 576, kHeight = 288, kTile = 96;  // a 6 x 3 grid
constexpr int kBannerTiles = 5;

// Frame `t`: the astronaut panned by 3 px a frame, defocused, with noise
// that differs every frame, and a banner (opaque mid-grey box, anti-aliased
// light-grey text: crisp, but not at the ends of the luma range, so the
// one-frame text rule does not take it) over the first five top tiles.
cv::Mat frame(int t) {
  static const cv::Mat src =
      cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/astronaut_641x479.png", cv::IMREAD_GRAYSCALE);
  EXPECT_FALSE(src.empty());
  cv::Mat m;
  cv::GaussianBlur(src(cv::Rect(3 * t, 20, kWidth, kHeight)), m, cv::Size(), 3.0);
  cv::Mat noise(m.size(), CV_16S);
  cv::theRNG().state = 100 + static_cast<std::uint64_t>(t);
  cv::randn(noise, 0, 1.5);
  cv::Mat noisy;
  cv::add(m, noise, noisy, cv::noArray(), CV_8U);
  cv::Mat banner = noisy(cv::Rect(0, 0, kBannerTiles * kTile, kTile));  // the text is clipped at its edge
  banner.setTo(70);
  for (int line = 0; line < 3; ++line)
    cv::putText(banner, "CAM-07 NORTH GATE 2026-12-03 12:34:56", cv::Point(6, 26 + 30 * line), cv::FONT_HERSHEY_SIMPLEX,
                0.62, cv::Scalar::all(165), 1, cv::LINE_AA);
  return noisy;
}

// Frame `t` as an encoder gives it back: JPEG-coded at a quality that
// differs from frame to frame (8 x 8 DCT blocks re-quantised), so the
// banner is never bit-identical twice.
cv::Mat recoded(int t) {
  static const int quality[] = {55, 80, 65, 90, 70};
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", frame(t), jpeg, {cv::IMWRITE_JPEG_QUALITY, quality[t % 5]});
  return cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE);
}

std::optional<focusmeter::FrameResult> push(Meter& m, int t, bool recode = false) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_GRAY8, kWidth, kHeight);
  gst_buffer_unref(
      gst_harness_push_and_pull(m.h.get(), make_frame(info, recode ? recoded(t) : frame(t), t * kFrame, kFrame)));
  const auto msgs = m.messages();
  EXPECT_EQ(msgs.size(), 1u);
  if (msgs.empty()) return std::nullopt;
  return focusmeter::FrameResult::from_structure(msgs.back().get());
}

int banner_overlays(const focusmeter::FrameResult& r) {
  int n = 0;
  for (int i = 0; i < kBannerTiles; ++i) n += r.map->overlay[static_cast<std::size_t>(i)] ? 1 : 0;
  return n;
}

}  // namespace

TEST(StaticTilesElement, BannerIdenticalAcrossFramesLeavesTheVote) {
  Meter m("interval=0");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, kWidth, kHeight);
  std::vector<focusmeter::FrameResult> results;
  for (int t = 0; t < 5; ++t) {
    auto r = push(m, t);
    ASSERT_TRUE(r && r->map && r->map->valid()) << "frame " << t;
    results.push_back(*r);
  }
  // Not before kStaticFrames frames: the first ones have the banner voting.
  for (int t = 0; t + 1 < focusmeter::kStaticFrames; ++t) EXPECT_EQ(banner_overlays(results[t]), 0) << t;
  for (std::size_t t = focusmeter::kStaticFrames - 1; t < results.size(); ++t) {
    EXPECT_EQ(banner_overlays(results[t]), kBannerTiles) << t;
    EXPECT_EQ(results[t].verdict, focusmeter::Verdict::Blurry) << t << " " << results[t].score.value_or(-1);
    EXPECT_FALSE(results[t].map->partial) << t;
  }
  // Before the banner left the vote its crisp tiles made the frame look
  // half sharp.
  EXPECT_TRUE(results[0].map->partial) << results[0].map->soft_share;
}

TEST(StaticTilesElement, RecodedBannerLeavesTheVoteToo) {
  Meter m("interval=0");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, kWidth, kHeight);
  ASSERT_GT(cv::norm(recoded(0)(cv::Rect(0, 0, kTile, kTile)), recoded(1)(cv::Rect(0, 0, kTile, kTile)), cv::NORM_INF),
            0);
  for (int t = 0; t < 5; ++t) {
    const auto r = push(m, t, true);
    ASSERT_TRUE(r && r->map && r->map->valid()) << "frame " << t;
    EXPECT_EQ(banner_overlays(*r), t + 1 < focusmeter::kStaticFrames ? 0 : kBannerTiles) << t;
    if (t + 1 >= focusmeter::kStaticFrames) {
      EXPECT_EQ(r->verdict, focusmeter::Verdict::Blurry) << t;
    }
  }
}

TEST(StaticTilesElement, FlushForgetsTheHistory) {
  Meter m("interval=0");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, kWidth, kHeight);
  for (int t = 0; t < 3; ++t) ASSERT_TRUE(push(m, t));
  ASSERT_TRUE(gst_harness_push_event(m.h.get(), gst_event_new_flush_start()));
  ASSERT_TRUE(gst_harness_push_event(m.h.get(), gst_event_new_flush_stop(TRUE)));
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  ASSERT_TRUE(gst_harness_push_event(m.h.get(), gst_event_new_segment(&seg)));
  const auto after = push(m, 3);
  ASSERT_TRUE(after && after->map);
  EXPECT_EQ(banner_overlays(*after), 0);
}
