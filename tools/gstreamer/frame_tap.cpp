#include "gstreamer/frame_tap.h"

namespace focusmeter::gst {

FrameTap::~FrameTap() {
  if (current_) gst_buffer_unref(current_);
}

void FrameTap::attach(GstElement* fm, GstBus* bus, bool keep_pictures, bool pass_messages, Handler handler) {
  fm_ = fm;
  keep_pictures_ = keep_pictures;
  pass_messages_ = pass_messages;
  handler_ = std::move(handler);
  // Holding a reference can keep a decoder's buffer out of its pool: only
  // when pictures are wanted.
  if (keep_pictures_) {
    g_autoptr(GstPad) sink = gst_element_get_static_pad(fm, "sink");
    gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER, on_buffer, this, nullptr);
  }
  gst_bus_set_sync_handler(bus, on_message, this, nullptr);
}

GstPadProbeReturn FrameTap::on_buffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<FrameTap*>(data);
  std::lock_guard<std::mutex> lock(self->mutex_);
  gst_buffer_replace(&self->current_, GST_PAD_PROBE_INFO_BUFFER(info));
  return GST_PAD_PROBE_OK;
}

GstBusSyncReply FrameTap::on_message(GstBus*, GstMessage* msg, gpointer data) {
  auto* self = static_cast<FrameTap*>(data);
  const GstStructure* s = focusmeter_structure(msg, self->fm_);
  if (!s) return GST_BUS_PASS;
  const std::optional<FrameResult> result = FrameResult::from_structure(s);
  if (!result) return GST_BUS_PASS;  // the EOS summary
  g_autoptr(GstSample) picture = nullptr;
  if (self->keep_pictures_) {
    g_autoptr(GstPad) pad = gst_element_get_static_pad(self->fm_, "sink");
    g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
    std::lock_guard<std::mutex> lock(self->mutex_);
    if (caps && self->current_) picture = gst_sample_new(self->current_, caps, nullptr, nullptr);
  }
  if (self->handler_) self->handler_(*result, picture);
  return self->pass_messages_ ? GST_BUS_PASS : GST_BUS_DROP;
}

}  // namespace focusmeter::gst
