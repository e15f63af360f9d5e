// The watch's schedule: every camera checked every `every` seconds (its own
// `every` when its camera list entry gives one), jittered by +-`jitter` of
// the interval so a fleet does not pulse, the first round spread over the
// first `jitter` share of an interval; at most `jobs` checks at once.
//
// Threads: the GLib main loop (the calling thread) owns the schedule, the
// per-camera gauges, the output lines and the alert sinks (which deliver on
// this main context, alert_sink.h); `jobs` worker threads run the checks
// (watch_check.h) and hand each finished check back to the main loop.
//
// Stopping: on SIGINT/SIGTERM (cli/interrupt.h) no new check starts, the
// checks in flight finish and are recorded, alerts still queued get up to
// `drain_s` to go out, and run() returns 0 (a second signal ends the
// process at once). With `once`, each camera is checked exactly once, then
// the same drain, and run() returns scan's exit status: 0 all CLEAR, 1 any
// BLURRY (absolute or drift), 2 any camera unchecked or UNKNOWN or VIEW
// CHANGED and none BLURRY; 128 + signal when interrupted.
// A state store failure stops the watch (exit 70): it cannot keep its
// promises (no lost incident, no duplicate alert) without its state.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "report/camera_metrics.h"
#include "watch/alert_sink.h"
#include "watch/watch_check.h"

namespace focusmeter::watch {

struct LoopSettings {
  double every_s = 300;
  double jitter = 0.1;  // share of the interval, 0 .. 0.5
  int jobs = 4;
  bool once = false;
  double drain_s = 10;  // on stop: how long queued alerts may still take
};

class WatchLoop {
 public:
  // Everything passed in outlives the loop. `out` gets one line per check,
  // per incident transition and per reference learned.
  WatchLoop(std::vector<WatchCamera>& cameras, const CheckSettings& check, WatchState& state,
            std::vector<std::unique_ptr<AlertSink>>& sinks, const LoopSettings& settings, FILE* out);
  ~WatchLoop();
  WatchLoop(const WatchLoop&) = delete;
  WatchLoop& operator=(const WatchLoop&) = delete;

  int run();
  // The cameras' gauges now (for the metrics endpoint); main loop thread.
  std::vector<report::CameraGauges> gauges() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace focusmeter::watch
