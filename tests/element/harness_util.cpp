#include "harness_util.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace fmtest {

Meter::Meter(const std::string& props) {
  h.reset(gst_harness_new_parse(("focusmeter " + props).c_str()));
  meter = gst_harness_find_element(h.get(), "focusmeter");
  bus.reset(gst_bus_new());
  gst_element_set_bus(h->element, bus.get());
}

Meter::Meter(GstElement* element) {
  h.reset(gst_harness_new_with_element(element, "sink", "src"));
  meter = GST_ELEMENT(gst_object_ref(element));
  bus.reset(gst_bus_new());
  gst_element_set_bus(h->element, bus.get());
}

Meter::~Meter() {
  // Queued messages hold references to the element, which holds the bus:
  // drop them (and those of the teardown) so the element is finalized.
  gst_bus_set_flushing(bus.get(), TRUE);
  if (meter) gst_object_unref(meter);
}

void Meter::set_caps(GstVideoFormat format, int width, int height, int fps) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, format, width, height);
  info.fps_n = fps;
  info.fps_d = 1;
  GstCaps* caps = gst_video_info_to_caps(&info);
  gst_harness_set_src_caps(h.get(), caps);  // takes ownership
}

std::vector<StructurePtr> Meter::messages() {
  std::vector<StructurePtr> out;
  while (GstMessage* m = gst_bus_pop_filtered(bus.get(), GST_MESSAGE_ELEMENT)) {
    const GstStructure* s = gst_message_get_structure(m);
    if (gst_structure_has_name(s, "focusmeter")) out.emplace_back(gst_structure_copy(s));
    gst_message_unref(m);
  }
  return out;
}

namespace {

// Deterministic colours whose luma spreads around `y`: a function of the
// position so that RGB frames carry real colour, not grey.
void colour_for(int x, int y, std::uint8_t luma, std::uint8_t rgb[3]) {
  rgb[0] = static_cast<std::uint8_t>(std::min(255, luma + (x * 7 + y * 3) % 40));
  rgb[1] = luma;
  rgb[2] = static_cast<std::uint8_t>(std::max(0, luma - (x * 5 + y * 11) % 40));
}

}  // namespace

GstBuffer* make_frame(const GstVideoInfo& info, const cv::Mat& luma, GstClockTime pts, GstClockTime duration) {
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info, buf, GST_MAP_WRITE)) {
    ADD_FAILURE() << "cannot map frame";
    return buf;
  }
  // Start from mid-grey everywhere (chroma planes, padding, alpha).
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&frame); ++p) {
    auto* data = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p));
    const int rows = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, p);
    std::fill(data, data + static_cast<std::size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p)) * rows, 128);
  }
  const bool rgb = GST_VIDEO_INFO_IS_RGB(&info);
  auto* plane = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
  const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
  for (int y = 0; y < luma.rows; ++y) {
    for (int x = 0; x < luma.cols; ++x) {
      const std::uint8_t v = luma.at<std::uint8_t>(y, x);
      if (rgb) {
        std::uint8_t c[3];
        colour_for(x, y, v, c);
        std::uint8_t* px = plane + y * stride + x * GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, 0);
        px[GST_VIDEO_FRAME_COMP_POFFSET(&frame, GST_VIDEO_COMP_R)] = c[0];
        px[GST_VIDEO_FRAME_COMP_POFFSET(&frame, GST_VIDEO_COMP_G)] = c[1];
        px[GST_VIDEO_FRAME_COMP_POFFSET(&frame, GST_VIDEO_COMP_B)] = c[2];
      } else {
        auto* y_data = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(&frame, 0));
        y_data[y * GST_VIDEO_FRAME_COMP_STRIDE(&frame, 0) + x * GST_VIDEO_FRAME_COMP_PSTRIDE(&frame, 0)] = v;
      }
    }
  }
  gst_video_frame_unmap(&frame);
  GST_BUFFER_PTS(buf) = pts;
  GST_BUFFER_DURATION(buf) = duration;
  return buf;
}

cv::Mat expected_luma(const GstVideoInfo& info, const cv::Mat& luma) {
  if (!GST_VIDEO_INFO_IS_RGB(&info)) return luma;
  cv::Mat rgb(luma.rows, luma.cols, CV_8UC3);
  for (int y = 0; y < luma.rows; ++y)
    for (int x = 0; x < luma.cols; ++x) {
      std::uint8_t c[3];
      colour_for(x, y, luma.at<std::uint8_t>(y, x), c);
      rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(c[0], c[1], c[2]);
    }
  cv::Mat gray;
  cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
  return gray;
}

focusmeter::FeatureVector core_features(const cv::Mat& luma) {
  return focusmeter::compute_features(
      focusmeter::LumaView(luma.ptr<std::uint8_t>(), luma.cols, luma.rows, static_cast<std::ptrdiff_t>(luma.step[0])));
}

double field(const GstStructure* s, const char* name) {
  double v = 0;
  EXPECT_TRUE(gst_structure_get_double(s, name, &v)) << "missing field " << name;
  return v;
}

cv::Mat test_luma(int width, int height) {
  const cv::Mat cam =
      cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/camera_512x512.png", cv::IMREAD_UNCHANGED);
  EXPECT_FALSE(cam.empty());
  cv::Mat out;
  cam(cv::Rect(0, 0, std::min(width, cam.cols), std::min(height, cam.rows))).copyTo(out);
  if (out.cols < width || out.rows < height) cv::resize(cam, out, cv::Size(width, height));
  return out;
}

}  // namespace fmtest
