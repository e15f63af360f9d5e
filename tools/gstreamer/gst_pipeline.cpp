#include "gstreamer/gst_pipeline.h"

#include <algorithm>
#include <memory>

namespace focusmeter::gst {

void PipelineDeleter::operator()(GstElement* pipeline) const {
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

namespace {

struct ConverterDeleter {
  void operator()(GstVideoConverter* c) const { gst_video_converter_free(c); }
};

// A mapped frame, unmapped when it goes.
struct MappedFrame {
  GstVideoFrame frame{};
  bool mapped = false;
  MappedFrame(GstVideoInfo* info, GstBuffer* buffer, GstMapFlags flags)
      : mapped(gst_video_frame_map(&frame, info, buffer, flags)) {}
  ~MappedFrame() {
    if (mapped) gst_video_frame_unmap(&frame);
  }
  MappedFrame(const MappedFrame&) = delete;
  MappedFrame& operator=(const MappedFrame&) = delete;
};

// Rows of plane 0 into an owned cv::Mat (the buffer goes back to its pool).
cv::Mat copy_plane(const GstVideoFrame& frame, int type) {
  const cv::Mat view(GST_VIDEO_FRAME_HEIGHT(&frame), GST_VIDEO_FRAME_WIDTH(&frame), type,
                     GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0));
  return view.clone();
}

}  // namespace

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
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  if (!buffer) return {};
  MappedFrame in(&info, buffer, GST_MAP_READ);
  if (!in.mapped) return {};
  if (GST_VIDEO_INFO_FORMAT(&info) == format) return copy_plane(in.frame, type);
  // Another format: converted in this thread by GstVideoConverter (what
  // videoconvert runs), one thread, the input's colorimetry. Not
  // gst_video_convert_sample: it builds and runs a pipeline per call, with
  // threads of its own (a watch check's snapshot, at every check).
  GstVideoInfo out_info;
  gst_video_info_set_interlaced_format(&out_info, format, GST_VIDEO_INFO_INTERLACE_MODE(&info),
                                       GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info));
  // The converter converts formats, not rates or shapes: those must match.
  GST_VIDEO_INFO_FPS_N(&out_info) = GST_VIDEO_INFO_FPS_N(&info);
  GST_VIDEO_INFO_FPS_D(&out_info) = GST_VIDEO_INFO_FPS_D(&info);
  GST_VIDEO_INFO_PAR_N(&out_info) = GST_VIDEO_INFO_PAR_N(&info);
  GST_VIDEO_INFO_PAR_D(&out_info) = GST_VIDEO_INFO_PAR_D(&info);
  std::unique_ptr<GstVideoConverter, ConverterDeleter> converter(gst_video_converter_new(&info, &out_info, nullptr));
  if (!converter) return {};
  g_autoptr(GstBuffer) out_buffer = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&out_info), nullptr);
  if (!out_buffer) return {};
  MappedFrame out(&out_info, out_buffer, GST_MAP_WRITE);
  if (!out.mapped) return {};
  gst_video_converter_frame(converter.get(), &in.frame, &out.frame);
  return copy_plane(out.frame, type);
}

GstMessage* pop_before(GstBus* bus, gint64 deadline_us, GstMessageType types) {
  const gint64 left_us = deadline_us - g_get_monotonic_time();
  if (left_us <= 0) return nullptr;
  return gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(left_us) * GST_USECOND, types);
}

}  // namespace focusmeter::gst
