// Every accepted format gives the features the core computes on the same
// luma, read from the Y plane with its real stride (odd sizes pad rows).
#include <gtest/gtest.h>

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
    GST_VIDEO_FORMAT_GRAY8, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_NV12,
    GST_VIDEO_FORMAT_NV21,  GST_VIDEO_FORMAT_Y41B, GST_VIDEO_FORMAT_Y42B, GST_VIDEO_FORMAT_Y444,
    GST_VIDEO_FORMAT_NV16,  GST_VIDEO_FORMAT_NV24, GST_VIDEO_FORMAT_YUY2, GST_VIDEO_FORMAT_YVYU,
    GST_VIDEO_FORMAT_UYVY,  GST_VIDEO_FORMAT_RGB,  GST_VIDEO_FORMAT_BGR,  GST_VIDEO_FORMAT_RGBx,
    GST_VIDEO_FORMAT_BGRx,  GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR, GST_VIDEO_FORMAT_RGBA,
    GST_VIDEO_FORMAT_BGRA,  GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR,
};

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
  EXPECT_EQ(gst_value_list_get_size(list), std::size(kFormats));
  for (GstVideoFormat f : kFormats) {
    bool found = false;
    for (guint i = 0; i < gst_value_list_get_size(list); ++i)
      found |= g_str_equal(g_value_get_string(gst_value_list_get_value(list, i)), gst_video_format_to_string(f));
    EXPECT_TRUE(found) << gst_video_format_to_string(f);
  }
  gst_caps_unref(caps);
  gst_object_unref(sink);
}

}  // namespace
