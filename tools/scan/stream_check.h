// One RTSP stream, opened and analysed once:
//   rtspsrc (TCP, video streams only) ! decodebin ! videoconvert
//     ! focusmeter interval=spread/frames ! [videoconvert ! BGR appsink]
// until `frames` analysed frames, an error, or the deadline; then torn down.
// Credentials go in rtspsrc's user-id/user-pw properties, never in the URL,
// so GStreamer's own errors and logs cannot echo the password.
#pragma once

#include <glib.h>

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "focusmeter/features.h"

namespace focusmeter::scan {

struct StreamCheckOptions {
  int frames = 3;               // analysed frames to decide from
  double spread_seconds = 1.0;  // spread them over about this long
  bool want_frame = false;      // keep the last analysed frame (BGR)
};

struct StreamOutcome {
  cli::Status status = cli::Status::StreamError;
  std::string reason;                 // one line, no password
  bool described = false;             // the camera answered DESCRIBE: the route exists
  std::vector<FeatureVector> frames;  // the analysed frames' features
  int width = 0;
  int height = 0;
  cv::Mat frame;  // BGR, when asked for and available
};

// `url` must carry no credentials. `deadline_us` is on g_get_monotonic_time.
StreamOutcome check_stream(const std::string& url, const std::string& user, const std::string& password,
                           const StreamCheckOptions& options, gint64 deadline_us);

// Maps an error from the pipeline to a status and a one-line reason (the
// classification rules, exposed for tests).
cli::Status classify_error(const GError* error, bool connected, bool saw_streams, bool saw_video);

}  // namespace focusmeter::scan
