#include "train/video_codec.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <cstring>
#include <memory>

#include "gstreamer/gst_pipeline.h"
#include "train/camera_chain.h"

namespace focusmeter::train {
namespace {

using Pipeline = gst::PipelinePtr;  // stopped (NULL state) and unreffed when it goes

// Camera-like settings: constant bitrate, no B-frames and no lookahead (a
// camera streams live), a keyframe only at the start, one thread each
// (deterministic, and the generator already runs one job per core).
std::string encoder_description(Codec codec, int kbps) {
  const std::string rate = std::to_string(kbps);
  if (codec == Codec::H264)
    return "x264enc threads=1 sliced-threads=false tune=zerolatency speed-preset=veryfast bframes=0 key-int-max=250 "
           "pass=cbr bitrate=" +
           rate + " ! h264parse ! avdec_h264 max-threads=1";
  return "x265enc tune=zerolatency speed-preset=ultrafast key-int-max=250 log-level=none "
         "option-string=\"pools=none:frame-threads=1:bframes=0:rc-lookahead=0:lookahead-slices=0\" bitrate=" +
         rate + " ! h265parse ! avdec_h265 max-threads=1";
}

}  // namespace

void ensure_gstreamer() {
  if (!gst_is_initialized()) gst_init(nullptr, nullptr);
}

cv::Mat video_roundtrip(const std::vector<cv::Mat>& frames, Codec codec, int kbps, std::string& error) {
  if (frames.empty() || codec == Codec::Jpeg) {
    error = "video_roundtrip: no frames or not a video codec";
    return {};
  }
  const int w = frames[0].cols, h = frames[0].rows;
  if (w % 8 || h % 2) {
    error = "video_roundtrip: width not a multiple of 8 or odd height";
    return {};
  }
  const std::string desc = "appsrc name=src format=time ! " + encoder_description(codec, kbps) +
                           " ! videoconvert ! video/x-raw,format=GRAY8 ! appsink name=sink sync=false";
  g_autoptr(GError) err = nullptr;
  Pipeline pipeline(gst_parse_launch(desc.c_str(), &err));
  if (!pipeline || err) {
    error = std::string("encoder pipeline: ") + (err ? err->message : "cannot build");
    return {};
  }
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline.get()), "src");
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink");
  g_autoptr(GstCaps) caps =
      gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, w, "height", G_TYPE_INT,
                          h, "framerate", GST_TYPE_FRACTION, 25, 1, "colorimetry", G_TYPE_STRING, "bt709", nullptr);
  gst_app_src_set_caps(GST_APP_SRC(src), caps);
  if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    error = "encoder pipeline does not start (x264enc/x265enc and avdec_* installed?)";
    return {};
  }

  // Grey in I420: the luma plane, then both chroma planes at 128.
  const std::size_t luma = static_cast<std::size_t>(w) * h, chroma = luma / 4;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    GstBuffer* buf = gst_buffer_new_allocate(nullptr, luma + 2 * chroma, nullptr);
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_WRITE);
    for (int y = 0; y < h; ++y) std::memcpy(map.data + static_cast<std::size_t>(y) * w, frames[i].ptr(y), w);
    std::memset(map.data + luma, 128, 2 * chroma);
    gst_buffer_unmap(buf, &map);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, 25);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, 25);
    if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK) {  // takes the buffer
      error = "encoder pipeline refused a frame";
      return {};
    }
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));

  cv::Mat last;
  std::size_t decoded = 0;
  for (;;) {
    g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND);
    if (!sample) break;  // end of stream (or a stall, caught below)
    GstBuffer* buf = gst_sample_get_buffer(sample);
    GstMapInfo map;
    if (!buf || !gst_buffer_map(buf, &map, GST_MAP_READ)) continue;
    // GRAY8 rows are padded to 4 bytes by GStreamer's default strides.
    const std::size_t stride = (static_cast<std::size_t>(w) + 3) & ~std::size_t{3};
    if (map.size >= stride * h) {
      last.create(h, w, CV_8UC1);
      for (int y = 0; y < h; ++y) std::memcpy(last.ptr(y), map.data + y * stride, w);
      ++decoded;
    }
    gst_buffer_unmap(buf, &map);
  }
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline.get());
  g_autoptr(GstMessage) msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  if (msg) {
    g_autoptr(GError) e = nullptr;
    gst_message_parse_error(msg, &e, nullptr);
    error = std::string("encoder pipeline: ") + (e ? e->message : "error");
    return {};
  }
  if (decoded != frames.size()) {
    error = "encoder pipeline returned " + std::to_string(decoded) + " of " + std::to_string(frames.size()) + " frames";
    return {};
  }
  return last;
}

}  // namespace focusmeter::train
