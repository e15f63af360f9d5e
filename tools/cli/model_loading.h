// "The named model, else the default one if it exists" for every command,
// with the same rules and messages: a model named with --model must load;
// with none named, default_model_path() ($FOCUSMETER_MODEL, else the
// installed $datadir/focusmeter/models/default.json) is loaded when the file
// exists, and a missing default means features only.
#pragma once

#include <memory>
#include <string>

#include "focusmeter/model.h"

namespace focusmeter::cli {

struct ModelChoice {
  std::shared_ptr<const Model> model;  // null: no model, features only
  std::string path;                    // the file loaded (or looked for)
  std::string missing;                 // no model: one line saying why
};

// Throws ModelError when the model (named or default) exists but does not
// load: that stops the command (exit status 65).
ModelChoice load_model_or_default(const char* named);

}  // namespace focusmeter::cli
