// One RTSP stream, opened and analysed once:
//   rtspsrc (TCP, video streams only) ! decodebin ! videoconvert
//     ! focusmeter model=... threshold=... interval=spread/frames ! fakesink
// until `frames` analysed frames, an error, or the deadline; then torn down.
// The element scores each frame (focusmeter::judge(), with the scan's own
// model and threshold), so scan scores exactly as the element does.
// Credentials go in rtspsrc's user-id/user-pw properties, never in the URL,
// so GStreamer's own errors and logs cannot echo the password.
#pragma once

#include <glib.h>

#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/result.h"
#include "focusmeter/features.h"

namespace focusmeter::scan {

struct StreamCheckOptions {
  int frames = 3;               // analysed frames to decide from
  double spread_seconds = 1.0;  // spread them over about this long
  bool want_frame = false;      // keep the last analysed frame (BGR)
  // The element's `model`: a file, or "" for none (features only). Never the
  // element's default, which would follow $FOCUSMETER_MODEL instead.
  std::string model_path;
  double threshold = -1;  // the element's `threshold`; < 0: the model's own
};

// One analysed frame, as the element posted it.
struct FrameOutcome {
  FeatureVector features;
  std::optional<double> score;  // with a model
  bool blurry = false;          // the element's verdict
  bool low_texture = false;     // too little structure to judge focus
};

struct StreamOutcome {
  cli::Status status = cli::Status::StreamError;
  std::string reason;                // one line, no password
  bool described = false;            // the camera answered DESCRIBE: the route exists
  std::vector<FrameOutcome> frames;  // the analysed frames
  int width = 0;
  int height = 0;
  cv::Mat frame;  // the last analysed frame, BGR, when asked for and available
};

// `url` must carry no credentials. `deadline_us` is on g_get_monotonic_time.
StreamOutcome check_stream(const std::string& url, const std::string& user, const std::string& password,
                           const StreamCheckOptions& options, gint64 deadline_us);

// Maps an error from the pipeline to a status (the classification rules,
// exposed for tests). `described`: the camera answered DESCRIBE.
cli::Status classify_error(const GError* error, bool described);

}  // namespace focusmeter::scan
