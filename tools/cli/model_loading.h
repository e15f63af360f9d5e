// The model of every command, picked the same way with the same messages:
//   --no-model                 features only, no verdict (exit status 2: nothing judged)
//   --model FILE               that file
//   $FOCUSMETER_MODEL          that file, when set and not empty
//   otherwise                  the model compiled into the program (models/default.json at build time)
// (focusmeter::select_model, focusmeter/model.h). A model named by --model
// or $FOCUSMETER_MODEL must load: a missing file stops the command with exit
// status 64 (usage), an invalid one with 65 (data); never a fall-back.
#pragma once

#include <memory>
#include <string>

#include "focusmeter/model.h"

namespace focusmeter::cli {

struct ModelChoice {
  std::shared_ptr<const Model> model;  // null: --no-model, features only
  std::string origin;                  // the file loaded, or kCompiledInModelOrigin; empty with no model
};

// Throws ModelFileMissing / ModelError (model_error_exit_status() maps them).
ModelChoice choose_model(const char* named, bool no_model);

// kExitUsage for a model file that is not there, kExitDataError for one that
// does not load.
int model_error_exit_status(const ModelError& e);

}  // namespace focusmeter::cli
