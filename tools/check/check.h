// Checking one input of `focusmeter check`: an image through the core, a
// clip or stream through a GStreamer pipeline with the focusmeter element.
// Every function returns a Result (never throws for bad input) and, when
// asked, the analysed frame (8-bit gray) for thumbnails, snapshots and --show.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <optional>

#include "check/inputs.h"
#include "focusmeter/model.h"
#include "report/result.h"
#include "stream/stream_probe.h"

namespace focusmeter::check {

struct CheckSettings {
  std::shared_ptr<const Model> model;  // null: features only, no verdicts; handed to the element as is
  std::optional<double> threshold;     // none: the model's own
  // Clips and streams.
  double every = 1.0;              // seconds between analysed frames (0 = every frame)
  std::optional<double> from, to;  // seconds into the clip
  double timeout = 10.0;           // seconds without progress before giving up
  double stream_seconds = 5.0;     // how long to watch a live stream (when --to is not given)
  double blurry_share = 0.5;       // a clip is BLURRY overall from this share of BLURRY time
  bool seek = false;               // jump to each analysis time instead of decoding everything
  bool want_frame = false;         // return the analysed frame
  // RTSP streams (the scan's stream path, stream/stream_probe.h).
  stream::Transport transport = stream::Transport::Auto;
  bool keyframes_only = false;
};

struct Checked {
  report::Result result;
  cv::Mat frame;  // the analysed frame (for a clip: its most BLURRY one), gray; empty if not wanted
};

Checked check_image(const Input& in, const CheckSettings& s);
Checked check_clip(const Input& in, const CheckSettings& s);
// rtsp:// (rtsps, rtspt, rtsph) streams: the stream path scan uses, with its
// statuses and its verdict policy (mean score against the threshold).
Checked check_rtsp(const Input& in, const CheckSettings& s);
bool is_rtsp_uri(const std::string& uri);
// Dispatches on in.kind (Bad inputs become error results).
Checked check_input(const Input& in, const CheckSettings& s);

// Folds a clip's samples (analysis times in seconds, ascending, with score
// and verdict) into a timeline: each sample's segment runs to the next one,
// the last to `end`. Fills r.timeline, r.blurry_share, r.score (time-weighted
// mean) and r.verdict (BLURRY when the BLURRY share >= blurry_share).
struct Sample {
  double time = 0;
  double score = 0;
  Verdict verdict = Verdict::Clear;
};
void fold_timeline(const std::vector<Sample>& samples, double end, double blurry_share, report::Result& r);

}  // namespace focusmeter::check
