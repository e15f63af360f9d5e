// What scan and check share about running a focusmeter pipeline: who owns
// it, in what order things are torn down, how a frame is read back, and how
// the bus is waited on against a deadline. The element's messages are read
// with focusmeter_message.h, the pictures behind them with common/frame_tap.h.
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <thread>

namespace focusmeter::gst {

// Stops the pipeline (NULL state: every streaming thread joined) and drops it.
struct PipelineDeleter {
  void operator()(GstElement* pipeline) const;
};
using PipelinePtr = std::unique_ptr<GstElement, PipelineDeleter>;

// A pipeline together with the context its callbacks (signals, pad probes,
// bus sync handlers) are given a pointer to. Members are destroyed in reverse
// order, so the pipeline is stopped before the context goes: whichever way a
// function returns, no streaming thread can touch a freed context. Give
// callbacks pointers into `context` only, never to locals of the caller.
template <typename Context>
struct OwnedPipeline {
  Context context;       // declared first: destroyed last
  PipelinePtr pipeline;  // declared last: stopped first

  OwnedPipeline() = default;
  OwnedPipeline(const OwnedPipeline&) = delete;
  OwnedPipeline& operator=(const OwnedPipeline&) = delete;
  ~OwnedPipeline() { stop(); }  // explicit, though member order already does it

  GstElement* get() const { return pipeline.get(); }
  // Stops the streaming threads now (before reading what they left in `context`).
  void stop() { pipeline.reset(); }
};

// A deadline is a deadline: stops `run`'s pipeline from a helper thread and
// waits for it until `deadline_us` (g_get_monotonic_time) at most. A
// pipeline that has not stopped by then (an element blocked on a hostile
// peer: an endless RTSP header, bytes trickled forever) is left to the
// helper thread, which holds `run` (pipeline and context) until the NULL
// state is reached; the caller returns on time either way. True when the
// pipeline stopped: only then is `run->context` free of streaming threads.
template <typename Context>
bool stop_before(std::shared_ptr<OwnedPipeline<Context>> run, gint64 deadline_us) {
  struct Done {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
  };
  auto done = std::make_shared<Done>();
  std::thread([run, done]() mutable {
    run->stop();
    run.reset();  // the pipeline and its context go here, on this thread
    std::lock_guard<std::mutex> lock(done->mutex);
    done->done = true;
    done->cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(done->mutex);
  const gint64 left_us = std::max<gint64>(0, deadline_us - g_get_monotonic_time());
  return done->cv.wait_for(lock, std::chrono::microseconds(left_us), [&] { return done->done; });
}

// The sample's frame as an owned cv::Mat in `format`: GST_VIDEO_FORMAT_GRAY8
// (CV_8UC1) or GST_VIDEO_FORMAT_BGR (CV_8UC3). Converts when the sample is in
// another format. Empty on failure or another `format`.
cv::Mat sample_to_mat(GstSample* sample, GstVideoFormat format);

// Pops the next message of `types` posted before `deadline_us` (on
// g_get_monotonic_time); nullptr once the deadline has passed. Free it with
// gst_message_unref (or hold it in g_autoptr(GstMessage)).
GstMessage* pop_before(GstBus* bus, gint64 deadline_us, GstMessageType types);

}  // namespace focusmeter::gst
