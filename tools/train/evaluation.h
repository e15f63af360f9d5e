// Held-out evaluation: accuracy on the target task, detection rate
// against blur radius and noise, calibration, the baselines the model must
// beat, a Markdown report and a PNG plot.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "focusmeter/model.h"
#include "train/labelled_set.h"

namespace focusmeter::train {

// One way of deciding: true = BLURRY.
struct Method {
  std::string name;
  std::function<bool(const Sample&)> blurry;
};

// The original tool's method: 1-nearest-neighbour on the four original
// features, unscaled, fitted on `train` (CLEAR/BLURRY only).
Method one_nn_method(const std::vector<const Sample*>& train);
// The fixed rule var(Laplacian on 0..255) < 100.
Method fixed_rule_method();
Method model_method(const Model& model, const std::string& name = "shipped model");

// The target subset: sharp (no blur) against disk radius >= 3 or
// Gaussian sigma >= 2.5 at 1080p, noise 0-6, JPEG quality 75-92. A set
// without those manifest columns: every CLEAR/BLURRY sample.
bool in_target(const Sample& s);

struct Metrics {
  std::size_t clear = 0, blurry = 0, false_alarms = 0, detected = 0;
  double balanced_accuracy() const;
  double false_alarm_rate() const;
  double detection_rate() const;
};
Metrics measure(const std::vector<const Sample*>& held_out, const Method& m,
                const std::function<bool(const Sample&)>& keep);

// Writes REPORT_DIR/evaluation.md and REPORT_DIR/detection-rate.png and
// returns the figures as JSON for the model's training metadata.
nlohmann::json evaluate(const std::vector<const Sample*>& train, const std::vector<const Sample*>& held_out,
                        const Model& model, const std::string& report_dir, const std::string& command_line);

}  // namespace focusmeter::train
