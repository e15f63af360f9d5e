// One RTSP stream, opened and judged once: the single stream path that
// `scan`, `check rtsp://...` (and the coming `watch`) share, so the same
// camera gets the same status, reason and verdict from every command.
//
//   rtspsrc (protocols per transport, video streams only) ! decodebin
//     ! videoconvert ! focusmeter model-object=... threshold=... interval=spread/frames ! fakesink
//
// Only real pictures are judged:
//  - Before the decoder (a probe on its sink pad, where the parser hands it
//    whole access units), every delta unit is dropped until the first
//    keyframe: a client joins a camera's running stream mid-GOP, and P-frames
//    without their keyframe decode into grey, half-made pictures.
//  - With `keyframes_only`, every delta unit is dropped, before and after the
//    first keyframe: one decode per GOP instead of every frame (scans and
//    periodic checks of a still scene; docs/scan.md has the CPU saving).
//  - The element itself skips buffers the decoder flags CORRUPTED (and GAP,
//    DECODE_ONLY) and counts them; snapshots come from judged pictures only
//    (common/frame_tap.h).
//
// Transports: tcp, udp, http (RTSP tunnelled in HTTP) or auto: TCP first,
// then UDP when the server refuses RTP over TCP (461 Unsupported transport,
// or 400), with the reason recorded; never for a camera that offers no
// video at all. The UDP receive buffer is sized for 4K.
//
// A camera answering 503 Service Unavailable (busy: too many clients, a
// stream restarting) is asked again a few times, a moment apart, while the
// deadline allows; if it stays busy the reason says so.
//
// Credentials go in rtspsrc's user-id/user-pw properties, never in the URL,
// so GStreamer's own errors and logs cannot echo the password.
//
// A deadline is a deadline: the pipeline is torn down when `deadline_us`
// passes, whatever the peer does (trickling bytes, an endless header).
#pragma once

#include <glib.h>

#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "focusmeter/model.h"
#include "focusmeter_message.h"
#include "report/result.h"

namespace focusmeter::stream {

enum class Transport { Auto, Tcp, Udp, Http };
// "auto", "tcp", "udp", "http"; nullopt for anything else.
std::optional<Transport> parse_transport(const std::string& name);
const char* transport_name(Transport t);

struct ProbeOptions {
  int frames = 3;               // pictures to judge
  double spread_seconds = 1.0;  // spread them over about this long (ignored with keyframes_only)
  bool keyframes_only = false;  // judge keyframes only (drop every delta unit before the decoder)
  bool want_frame = false;      // keep the last judged picture (BGR)
  // The model the element scores with, handed over as an object (never
  // re-read from a file); null: features only. Never the element's default,
  // which would follow $FOCUSMETER_MODEL instead.
  std::shared_ptr<const Model> model;
  std::optional<double> threshold;  // none: the model's own
  Transport transport = Transport::Auto;
  // The region judged (the element's roi-left/-top/-width/-height), clipped
  // to the picture by the element; absent: the whole picture.
  std::optional<Rect> roi;
};

struct ProbeOutcome {
  report::Status status = report::Status::StreamError;
  std::string reason;                     // one line, no password
  bool described = false;                 // the camera answered DESCRIBE: the route exists
  bool busy = false;                      // the last attempt got 503 Service Unavailable
  std::vector<FrameResult> frames;        // the judged pictures
  SkippedBuffers skipped;                 // buffers the element did not judge (last count seen)
  guint64 dropped_before_keyframe = 0;    // delta units dropped while waiting for the first keyframe
  Transport transport = Transport::Auto;  // the one that carried the stream (Auto when none did)
  double first_picture_s = -1;            // seconds from start to the first judged picture
  int width = 0;
  int height = 0;
  cv::Mat frame;  // the last judged picture, BGR, when asked for and available
};

// Loads, once per process, the plugins of the video parsers and decoders
// decodebin may plug for a camera's stream (H.264, H.265, JPEG). The first
// load of gst-libav registers hundreds of element types: 70 ms on an idle
// machine, 0.5 to over 3 s on a loaded one, and every pipeline that needs a
// decoder meanwhile waits for it. Callers run it before they start a
// camera's deadline, so that the deadline measures the camera. Thread-safe.
void load_decoders();

// `url` must carry no credentials. `deadline_us` is on g_get_monotonic_time.
ProbeOutcome probe_stream(const std::string& url, const std::string& user, const std::string& password,
                          const ProbeOptions& options, gint64 deadline_us);

// Maps an error from the pipeline to a status (the classification rules,
// exposed for tests). `described`: the camera answered DESCRIBE.
report::Status classify_error(const GError* error, bool described);

// The stream verdict policy, the same for every command: features are the
// mean over the analysed pictures; the verdict, score, BLURRY and UNKNOWN
// shares come from the core's Aggregate over the element's per-picture
// judgements at their running times (focusmeter/aggregate.h: the rule of
// the element's EOS summary and of check's clips), with `blurry_share`
// (none: Aggregate::kDefaultBlurryShare). Without a model, no verdict
// (NoModel). Returns false when the model gave a picture no score (not
// finite): r.reason says so, and the camera was not checked (never CLEAR).
bool decide(const ProbeOutcome& o, const Model* model, std::optional<double> blurry_share, report::Result& r);

}  // namespace focusmeter::stream
