#include "gstreamer/gst_pipeline.h"

#include <algorithm>

namespace focusmeter::gst {

void PipelineDeleter::operator()(GstElement* pipeline) const {
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

cv::Mat sample_to_mat(GstSample* sample, GstVideoFormat format) {
  int type = 0;
  if (format == GST_VIDEO_FORMAT_GRAY8)
    type = CV_8UC1;
  else if (format == GST_VIDEO_FORMAT_BGR)
    type = CV_8UC3;
  else
    return {};
  GstVideoInfo info;
  if (!sample || !gst_video_info_from_caps(&info, gst_sample_get_caps(sample))) return {};
  g_autoptr(GstSample) converted = nullptr;
  if (GST_VIDEO_INFO_FORMAT(&info) != format) {
    g_autoptr(GstCaps) caps =
        gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, gst_video_format_to_string(format), nullptr);
    g_autoptr(GError) err = nullptr;
    converted = gst_video_convert_sample(sample, caps, 5 * GST_SECOND, &err);
    if (!converted || !gst_video_info_from_caps(&info, gst_sample_get_caps(converted))) return {};
    sample = converted;
  }
  GstVideoFrame frame;
  if (!gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) return {};
  const cv::Mat view(GST_VIDEO_FRAME_HEIGHT(&frame), GST_VIDEO_FRAME_WIDTH(&frame), type,
                     GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0));
  cv::Mat copy = view.clone();  // the buffer goes back to its pool; the copy stays
  gst_video_frame_unmap(&frame);
  return copy;
}

GstMessage* pop_before(GstBus* bus, gint64 deadline_us, GstMessageType types) {
  const gint64 left_us = deadline_us - g_get_monotonic_time();
  if (left_us <= 0) return nullptr;
  return gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(left_us) * GST_USECOND, types);
}

}  // namespace focusmeter::gst
