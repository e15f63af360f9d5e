// The check of one target, start to end: TCP probe, then the stream at each
// candidate route (the given URL, the --url-template, the brand's route, or
// every known route for `auto`) until one answers, then the verdict.
// Always returns exactly one Result; never throws for a camera's sake.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "focusmeter/model.h"
#include "focusmeter/parameters.h"
#include "report/result.h"
#include "scan/routes.h"
#include "scan/targets.h"
#include "stream/stream_probe.h"

namespace focusmeter::scan {

struct ScanSettings {
  std::string brand = "auto";
  std::string url_template;  // overrides brand when set
  bool substream = false;
  int port = 554;
  int onvif_port = 80;   // ONVIF's HTTP port (brand onvif, and auto tries it first)
  std::string user;      // global credentials; a camera list may override
  std::string password;  // never printed
  // Send the password to a camera that offers only Basic auth (in clear);
  // rtsps:// always may. A camera list's allow_basic_auth overrides.
  bool allow_basic_auth = false;
  int probe_timeout_ms = 1000;
  double timeout_seconds = 5.0;  // per camera, after the probe
  stream::ProbeOptions stream;   // frames, spread, transport, keyframes only
  // The model every element scores with (handed over as an object, never
  // re-read); null: features only, no verdict.
  std::shared_ptr<const Model> model;
  std::optional<double> threshold;  // none: the model's own
  // A camera is BLURRY when at least this share of its judged frames' time
  // is (the core's Aggregate, as check's clips and streams).
  double blurry_share = parameters::BlurryShare::kDefault;
};

// The routes tried for one target, in order; `channel` 0 = channel 1.
std::vector<Route> candidate_routes(const TargetSpec& spec, const ScanSettings& settings, int channel = 0);

// The analysed frame, if kept (settings.stream.want_frame), goes to `frame`.
report::Result scan_target(const Target& target, const ScanSettings& settings, cv::Mat* frame);

}  // namespace focusmeter::scan
