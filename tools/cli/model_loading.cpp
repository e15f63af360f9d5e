#include "cli/model_loading.h"

#include <optional>

#include "cli/exit_codes.h"

namespace focusmeter::cli {

ModelChoice choose_model(const char* named, bool no_model) {
  ModelChoice c;
  if (no_model) return c;
  c.model = select_model(named ? std::optional<std::string>(named) : std::nullopt);
  c.origin = c.model->origin();
  return c;
}

int model_error_exit_status(const ModelError& e) {
  return dynamic_cast<const ModelFileMissing*>(&e) ? kExitUsage : kExitDataError;
}

}  // namespace focusmeter::cli
