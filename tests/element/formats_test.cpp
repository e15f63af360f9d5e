// Every accepted format gives the features the core computes on the same
// luma, read from the Y plane with its real stride (odd sizes pad rows).
#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "harness_util.h"

using namespace fmtest;

namespace {

class Formats : public ::testing::TestWithParam<GstVideoFormat> {};

TEST_P(Formats, SameFeaturesAsTheCore) {
  const GstVideoFormat format = GetParam();
  const int width = 317, height = 237;  // odd: Y rows of I420 & co. are padded
  Meter m;
  m.set_caps(format, width, height);
  GstVideoInfo info;
  gst_video_info_set_format(&info, format, width, height);

  const cv::Mat luma = test_luma(width, height);
  const GstBuffer* in = make_frame(info, luma, 0, GST_SECOND / 25);
  GstBuffer* out = gst_harness_push_and_pull(m.h.get(), const_cast<GstBuffer*>(in));
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out, in) << "passthrough: the very same buffer comes out";
  gst_buffer_unref(out);

  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 1u);
  const GstStructure* s = msgs[0].get();
  const focusmeter::FeatureVector want = core_features(expected_luma(info, luma));
  EXPECT_DOUBLE_EQ(field(s, "laplacian-variance"), want[focusmeter::Feature::LaplacianVariance]);
  EXPECT_DOUBLE_EQ(field(s, "laplacian-max"), want[focusmeter::Feature::LaplacianMax]);
  EXPECT_DOUBLE_EQ(field(s, "noise-sigma"), want[focusmeter::Feature::NoiseSigma]);
  EXPECT_DOUBLE_EQ(field(s, "scharr-variance"), want[focusmeter::Feature::ScharrVariance]);
  EXPECT_DOUBLE_EQ(field(s, "brightness"), want[focusmeter::Feature::Brightness]);
  EXPECT_DOUBLE_EQ(field(s, "contrast"), want[focusmeter::Feature::Contrast]);
  EXPECT_GT(want[focusmeter::Feature::LaplacianVariance], 0.0);
  int w = 0, h = 0;
  EXPECT_TRUE(gst_structure_get_int(s, "width", &w));
  EXPECT_TRUE(gst_structure_get_int(s, "height", &h));
  EXPECT_EQ(w, width);
  EXPECT_EQ(h, height);
  EXPECT_FALSE(gst_structure_has_field(s, "verdict")) << "no model: features only";
}

const GstVideoFormat kFormats[] = {
    GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_NV21,
    GST_VIDEO_FORMAT_Y41B,  GST_VIDEO_FORMAT_Y42B, GST_VIDEO_FORMAT_Y444, GST_VIDEO_FORMAT_NV16, GST_VIDEO_FORMAT_NV24,
    GST_VIDEO_FORMAT_YUY2,  GST_VIDEO_FORMAT_YVYU, GST_VIDEO_FORMAT_UYVY, GST_VIDEO_FORMAT_RGB,  GST_VIDEO_FORMAT_BGR,
    GST_VIDEO_FORMAT_RGBx,  GST_VIDEO_FORMAT_BGRx, GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR, GST_VIDEO_FORMAT_RGBA,
    GST_VIDEO_FORMAT_BGRA,  GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR,
};

const GstVideoFormat kHighDepthFormats[] = {GST_VIDEO_FORMAT_P010_10LE, GST_VIDEO_FORMAT_I420_10LE,
                                            GST_VIDEO_FORMAT_I422_10LE, GST_VIDEO_FORMAT_Y444_10LE,
                                            GST_VIDEO_FORMAT_GRAY16_LE, GST_VIDEO_FORMAT_GRAY16_BE};

INSTANTIATE_TEST_SUITE_P(Element, Formats, ::testing::ValuesIn(kFormats),
                         [](const ::testing::TestParamInfo<GstVideoFormat>& p) {
                           return std::string(gst_video_format_to_string(p.param));
                         });

// The element's caps and the test's list agree: a format added to one and
// not the other fails here.
TEST(Formats, TemplateListsExactlyTheTestedFormats) {
  Meter m;
  GstPad* sink = gst_element_get_static_pad(m.element(), "sink");
  GstCaps* caps = gst_pad_get_pad_template_caps(sink);
  const GValue* list = gst_structure_get_value(gst_caps_get_structure(caps, 0), "format");
  ASSERT_TRUE(GST_VALUE_HOLDS_LIST(list));
  std::vector<GstVideoFormat> all(std::begin(kFormats), std::end(kFormats));
  all.insert(all.end(), std::begin(kHighDepthFormats), std::end(kHighDepthFormats));
  EXPECT_EQ(gst_value_list_get_size(list), all.size());
  for (GstVideoFormat f : all) {
    bool found = false;
    for (guint i = 0; i < gst_value_list_get_size(list); ++i)
      found |= g_str_equal(g_value_get_string(gst_value_list_get_value(list, i)), gst_video_format_to_string(f));
    EXPECT_TRUE(found) << gst_video_format_to_string(f);
  }
  gst_caps_unref(caps);
  gst_object_unref(sink);
}

// --- 10- to 16-bit luma -------------------------------------------------------

// A frame whose Y samples are `samples` (CV_32S, each in [0, 2^depth - 1]),
// stored as the format stores them (byte order, P010's high bits); chroma mid-grey.
GstBuffer* make_high_depth_frame(const GstVideoInfo& info, const cv::Mat& samples) {
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame frame;
  EXPECT_TRUE(gst_video_frame_map(&frame, &info, buf, GST_MAP_WRITE));
  const GstVideoFormatInfo* finfo = info.finfo;
  const int shift = GST_VIDEO_FORMAT_INFO_SHIFT(finfo, 0);
  const bool le = GST_VIDEO_FORMAT_INFO_IS_LE(finfo);
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&frame); ++p) {
    auto* data = static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p));
    std::fill(data,
              data + static_cast<std::size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p)) *
                         GST_VIDEO_FRAME_COMP_HEIGHT(&frame, p),
              0x80);
  }
  auto* y_data = static_cast<guint8*>(GST_VIDEO_FRAME_COMP_DATA(&frame, 0));
  for (int y = 0; y < samples.rows; ++y)
    for (int x = 0; x < samples.cols; ++x) {
      const guint32 v = static_cast<guint32>(samples.at<int>(y, x)) << shift;
      guint8* px = y_data + y * GST_VIDEO_FRAME_COMP_STRIDE(&frame, 0) + x * GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, 0);
      px[le ? 0 : 1] = v & 0xff;
      px[le ? 1 : 0] = (v >> 8) & 0xff;
    }
  gst_video_frame_unmap(&frame);
  return buf;
}

std::vector<StructurePtr> judge_samples(GstVideoFormat format, const cv::Mat& samples) {
  Meter m;
  m.set_caps(format, samples.cols, samples.rows);
  GstVideoInfo info;
  gst_video_info_set_format(&info, format, samples.cols, samples.rows);
  GstBuffer* out = gst_harness_push_and_pull(m.h.get(), make_high_depth_frame(info, samples));
  EXPECT_NE(out, nullptr);
  if (out) gst_buffer_unref(out);
  return m.messages();
}

int max_sample(GstVideoFormat format) {
  return (1 << GST_VIDEO_FORMAT_INFO_DEPTH(gst_video_format_get_info(format), 0)) - 1;
}

class HighDepth : public ::testing::TestWithParam<GstVideoFormat> {};

// An 8-bit picture carried in a deeper format (each value v as
// round(v * max / 255)) gives exactly the 8-bit picture's features.
TEST_P(HighDepth, EightBitPictureGivesTheSameFeatures) {
  const int width = 317, height = 237;
  const cv::Mat luma = test_luma(width, height);
  const int max = max_sample(GetParam());
  cv::Mat samples(height, width, CV_32S);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) samples.at<int>(y, x) = (luma.at<std::uint8_t>(y, x) * max + 127) / 255;
  const auto msgs = judge_samples(GetParam(), samples);
  ASSERT_EQ(msgs.size(), 1u);
  const focusmeter::FeatureVector want = core_features(luma);
  for (std::size_t i = 0; i < focusmeter::kFeatureCount; ++i) {
    const auto f = static_cast<focusmeter::Feature>(i);
    if (!want.has(f)) continue;
    EXPECT_DOUBLE_EQ(field(msgs[0].get(), focusmeter::feature_field_name(f).data()), want[f])
        << focusmeter::feature_name(f);
  }
}

// The same continuous picture encoded in 8 and in 10 (or 16) bits: the
// features agree within 2% (relative; the 10-bit samples are rounded to 8
// bits, which moves a pixel by at most one 8-bit step against the 8-bit
// encoding). docs/element.md quotes this bound.
TEST_P(HighDepth, TenBitEncodingGivesTheEightBitFeaturesWithinTolerance) {
  const int width = 320, height = 240;
  cv::Mat picture;
  test_luma(width, height).convertTo(picture, CV_64F, 1.0 / 255);
  cv::GaussianBlur(picture, picture, {0, 0}, 1.3);  // values between the 8-bit steps
  const int max = max_sample(GetParam());
  cv::Mat eight(height, width, CV_8U), deep(height, width, CV_32S);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double v = picture.at<double>(y, x);
      eight.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(std::lround(v * 255));
      deep.at<int>(y, x) = static_cast<int>(std::lround(v * max));
    }
  const auto msgs = judge_samples(GetParam(), deep);
  ASSERT_EQ(msgs.size(), 1u);
  const focusmeter::FeatureVector want = core_features(eight);
  for (std::size_t i = 0; i < focusmeter::kFeatureCount; ++i) {
    const auto f = static_cast<focusmeter::Feature>(i);
    if (!want.has(f) || !gst_structure_has_field(msgs[0].get(), focusmeter::feature_field_name(f).data())) continue;
    const double got = field(msgs[0].get(), focusmeter::feature_field_name(f).data());
    EXPECT_NEAR(got, want[f], 0.02 * std::abs(want[f]) + 1e-9) << focusmeter::feature_name(f);
  }
}

INSTANTIATE_TEST_SUITE_P(Element, HighDepth, ::testing::ValuesIn(kHighDepthFormats),
                         [](const ::testing::TestParamInfo<GstVideoFormat>& p) {
                           return std::string(gst_video_format_to_string(p.param));
                         });

}  // namespace
