// The check of one target, start to end: TCP probe, then the stream at each
// candidate route (the given URL, the --url-template, the brand's route, or
// every known route for `auto`) until one answers, then the verdict.
// Always returns exactly one Result; never throws for a camera's sake.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "report/result.h"
#include "focusmeter/model.h"
#include "scan/routes.h"
#include "scan/stream_check.h"
#include "scan/targets.h"

namespace focusmeter::scan {

struct ScanSettings {
  std::string brand = "auto";
  std::string url_template;  // overrides brand when set
  bool substream = false;
  int port = 554;
  std::string user;      // global credentials; a camera list may override
  std::string password;  // never printed
  int probe_timeout_ms = 1000;
  double timeout_seconds = 5.0;  // per camera, after the probe
  StreamCheckOptions stream;
  // The model the element scores with (its file is handed to the element:
  // model_path must name it); nullptr: features only, no verdict.
  const Model* model = nullptr;
  std::string model_path;
  double threshold = -1;  // < 0: the model's own
};

// The routes tried for one target, in order.
std::vector<Route> candidate_routes(const TargetSpec& spec, const ScanSettings& settings);

// The analysed frame, if kept (settings.stream.want_frame), goes to `frame`.
cli::Result scan_target(const Target& target, const ScanSettings& settings, cv::Mat* frame);

}  // namespace focusmeter::scan
