// `focusmeter check rtsp://...`: the one stream path (stream/stream_probe.h),
// the same as `scan`'s, so both commands give a camera the same status,
// reason and verdict. check watches --to (or --stream-seconds) seconds and
// judges one picture per --every seconds; the pictures also make a timeline.
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "check/check.h"
#include "stream/stream_probe.h"

namespace focusmeter::check {

bool is_rtsp_uri(const std::string& uri) {
  return g_str_has_prefix(uri.c_str(), "rtsp://") || g_str_has_prefix(uri.c_str(), "rtsps://") ||
         g_str_has_prefix(uri.c_str(), "rtspt://") || g_str_has_prefix(uri.c_str(), "rtsph://");
}

Checked check_rtsp(const Input& in, const CheckSettings& s) {
  const auto t0 = std::chrono::steady_clock::now();
  Checked c;
  report::Result& r = c.result;
  r.source = in.source;
  r.kind = input_kind_name(in.kind);

  const double watch = std::max(0.0, s.to ? *s.to - s.from.value_or(0) : s.stream_seconds);
  stream::ProbeOptions options;
  // One picture per --every over the watch (--every 0: about ten a second).
  const double every = s.every > 0 ? s.every : 0.1;
  options.frames = std::clamp(static_cast<int>(std::floor(watch / every + 1e-9)), 1, 1000);
  options.spread_seconds = watch;
  options.keyframes_only = s.keyframes_only;
  options.transport = s.transport;
  options.want_frame = s.want_frame;
  options.model = s.model;
  options.threshold = s.threshold;
  stream::load_decoders();  // once per process, before the camera's clock starts
  const gint64 deadline = g_get_monotonic_time() + static_cast<gint64>((s.timeout + watch) * G_USEC_PER_SEC);
  stream::ProbeOutcome o =
      stream::probe_stream(in.uri, in.credentials.user, in.credentials.password, options, deadline);

  r.status = o.status;
  r.reason = o.reason;
  if (o.status == report::Status::Ok) {
    r.width = o.width;
    r.height = o.height;
    if (s.model) {
      // The timeline shows the pictures; the verdict is stream::decide's
      // (the same Aggregate over the same pictures and times).
      std::vector<Sample> samples;
      const double first = o.frames.empty() ? 0 : double(o.frames.front().running_time) / GST_SECOND;
      for (const FrameResult& f : o.frames)
        samples.push_back({double(f.running_time) / GST_SECOND - first, f.judgement()});
      if (!samples.empty()) fold_timeline(samples, samples.back().time + every, s.blurry_share, r);
      r.reason = o.reason;  // decide() below says it all again
    }
    if (!stream::decide(o, s.model.get(), s.blurry_share, r)) r.status = report::Status::StreamError;
    if (s.want_frame && !o.frame.empty()) cv::cvtColor(o.frame, c.frame, cv::COLOR_BGR2GRAY);
  }
  r.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

}  // namespace focusmeter::check
