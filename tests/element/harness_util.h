// Helpers for driving `focusmeter` in a GstHarness with a private bus, the
// way gst-plugins-good's level tests read the element's messages.
#pragma once

#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "focusmeter/features.h"

namespace fmtest {

struct HarnessDeleter {
  void operator()(GstHarness* h) const { gst_harness_teardown(h); }
};
using HarnessPtr = std::unique_ptr<GstHarness, HarnessDeleter>;

struct BusDeleter {
  void operator()(GstBus* b) const { gst_object_unref(b); }
};
using BusPtr = std::unique_ptr<GstBus, BusDeleter>;

struct StructureDeleter {
  void operator()(GstStructure* s) const { gst_structure_free(s); }
};
using StructurePtr = std::unique_ptr<GstStructure, StructureDeleter>;

// A harness around a fresh focusmeter with `props` applied (gst-launch
// syntax, e.g. "interval=0 model=\"\""), and a private bus.
struct Meter {
  HarnessPtr h;
  BusPtr bus;
  GstElement* meter = nullptr;  // the focusmeter inside the harness's bin
  explicit Meter(const std::string& props = "interval=0 model=\"\"");
  // Around `element` (a focusmeter configured by the caller; the harness
  // takes its own reference).
  explicit Meter(GstElement* element);
  ~Meter();
  GstElement* element() const { return meter; }
  void set_caps(GstVideoFormat format, int width, int height, int fps = 25);
  // Pops every pending `focusmeter` element message (non-blocking).
  std::vector<StructurePtr> messages();
};

// A buffer in `info`'s layout whose luma is `luma` (CV_8UC1 of the same
// size): written straight into the Y plane for YUV/GRAY formats, and for RGB
// formats as colours whose BT.601 luma is computed by the caller through
// expected_luma(). Chroma is mid-grey for YUV.
GstBuffer* make_frame(const GstVideoInfo& info, const cv::Mat& luma, GstClockTime pts, GstClockTime duration);
// For RGB formats the luma the element should see (cv::cvtColor of the
// colours make_frame wrote); for the others, `luma` itself.
cv::Mat expected_luma(const GstVideoInfo& info, const cv::Mat& luma);

focusmeter::FeatureVector core_features(const cv::Mat& luma);
double field(const GstStructure* s, const char* name);

// The 8-bit camera fixture (CC0), cropped to width x height.
cv::Mat test_luma(int width, int height);

}  // namespace fmtest
