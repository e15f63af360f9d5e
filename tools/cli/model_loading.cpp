#include "cli/model_loading.h"

#include <glib.h>

namespace focusmeter::cli {

ModelChoice load_model_or_default(const char* named) {
  ModelChoice c;
  c.path = named ? named : default_model_path();
  if (!named && (c.path.empty() || !g_file_test(c.path.c_str(), G_FILE_TEST_EXISTS))) {
    c.missing =
        c.path.empty() ? "no model loaded (none configured)" : "no model loaded (" + c.path + " does not exist)";
    return c;
  }
  c.model = std::make_shared<const Model>(Model::load(c.path));
  return c;
}

}  // namespace focusmeter::cli
