// The picture behind each focusmeter message, for snapshots and thumbnails:
// one tap that scan, check and every stream reader share.
//
// A buffer probe on the element's sink pad remembers the buffer the element
// is handed; the element posts that picture's FrameResult from the same
// streaming thread before the next buffer arrives, so a bus sync handler
// (running in that thread, synchronously) pairs the message with the very
// picture it describes. Skipped buffers (CORRUPTED, GAP, DECODE_ONLY) get no
// message, so only judged pictures ever reach the handler.
//
// The tap must outlive the pipeline's streaming threads: keep it in the
// OwnedPipeline's context (common/gst_pipeline.h).
#pragma once

#include <gst/gst.h>

#include <functional>
#include <mutex>

#include "focusmeter_message.h"

namespace focusmeter::gst {

class FrameTap {
 public:
  // Called in the streaming thread, once per judged picture, in order.
  // `picture` is the analysed frame with its caps (nullptr unless
  // keep_pictures): borrowed, take a ref (or gst_sample_ref) to keep it.
  using Handler = std::function<void(const FrameResult&, GstSample* picture)>;

  FrameTap() = default;
  FrameTap(const FrameTap&) = delete;
  FrameTap& operator=(const FrameTap&) = delete;
  ~FrameTap();

  // Installs the probe on `fm`'s sink pad and the sync handler on `bus`
  // (replacing any other sync handler). With `pass_messages`, per-frame
  // messages also go on to the bus; without, the tap consumes them.
  // Call before the pipeline starts.
  void attach(GstElement* fm, GstBus* bus, bool keep_pictures, bool pass_messages, Handler handler);

 private:
  static GstPadProbeReturn on_buffer(GstPad*, GstPadProbeInfo* info, gpointer self);
  static GstBusSyncReply on_message(GstBus*, GstMessage* msg, gpointer self);

  GstElement* fm_ = nullptr;  // borrowed: the pipeline holds it
  bool keep_pictures_ = false;
  bool pass_messages_ = true;
  Handler handler_;
  std::mutex mutex_;
  GstBuffer* current_ = nullptr;  // the buffer the element was handed last
};

}  // namespace focusmeter::gst
