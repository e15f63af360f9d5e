// `focusmeter train eval`: accuracy measured on what a model never saw.
//
// Leave-one-package-out: for each Debian package of the set's manifest, the
// shipped recipe (fit_calibrated_model: logistic regression, Platt scaling,
// threshold by cross-validation) is trained on every other package and
// tested on the held-out one; the original method (1-NN on the four raw
// features) is fitted on the same part, the fixed rule needs no fit. Every
// sample thus gets an out-of-package prediction from each method; the
// per-kind, per-resolution and calibration tables are made from those.
// Leave-one-degradation-family-out: trained without a family (H.265, IR
// night, ...), tested on it. A given model file (the shipped one) is also
// scored as it is, on every sample. The retrained models and the model file
// are scored twice: on the frame's features (judge(), "whole frame") and
// through the focus map (judge_frame(), the verdict every command gives;
// map_evaluation.h). The family left-out table is whole-frame only.
#pragma once

#include <string>
#include <vector>

#include "focusmeter/model.h"
#include "train/labelled_set.h"
#include "train/trainer.h"

namespace focusmeter::train {

struct CrossEvalOptions {
  TrainOptions train;        // the recipe retrained on each split
  std::string model_path;    // a model scored as it is ("" = none)
  std::string report;        // Markdown file to write
  std::string candidate;     // model trained on every sample, written here ("" = none)
  std::string command_line;  // written beside the tables
  std::string predictions;   // CSV of every sample's out-of-package decisions ("" = none)
  std::string features;      // CSV of every sample's frame features (feature_table.h; "" = none)
  std::string tiles;         // CSV of every focus-map tile's features (feature_table.h; "" = none)
  int jobs = 2;              // threads decoding and judging through the focus map
};

// Runs every split on `samples` (features extracted) and writes the report
// (and the candidate). Returns false with one line in `error` when the set
// cannot be split (fewer than two packages, a class missing).
bool cross_evaluate(const std::vector<Sample>& samples, const CrossEvalOptions& opt, std::string& error);

int eval_main(int argc, char** argv);

}  // namespace focusmeter::train
