// What scan and check share about running a focusmeter pipeline: who owns
// it, in what order things are torn down, how a frame and the element's
// features are read back, and how the bus is waited on against a deadline.
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include <memory>
#include <opencv2/core.hpp>

#include "focusmeter/features.h"

namespace focusmeter::cli {

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

// The sample's frame as an owned cv::Mat in `format`: GST_VIDEO_FORMAT_GRAY8
// (CV_8UC1) or GST_VIDEO_FORMAT_BGR (CV_8UC3). Converts when the sample is in
// another format. Empty on failure or another `format`.
cv::Mat sample_to_mat(GstSample* sample, GstVideoFormat format);

// The features in one focusmeter element message (fields named by
// feature_field_name); features absent from it stay absent.
FeatureVector features_from_structure(const GstStructure* s);

// Pops the next message of `types` posted before `deadline_us` (on
// g_get_monotonic_time); nullptr once the deadline has passed. Free it with
// gst_message_unref (or hold it in g_autoptr(GstMessage)).
GstMessage* pop_before(GstBus* bus, gint64 deadline_us, GstMessageType types);

}  // namespace focusmeter::cli
