#include "cli/cli.h"

#include <cstdio>

#include "cli/exit_codes.h"

namespace focusmeter::cli {

void set_command_name(const char* command) {
  g_autofree gchar* name = g_strdup_printf("focusmeter %s", command);
  g_set_prgname(name);
}

int usage_error(const char* command, const std::string& message) {
  std::fprintf(stderr, "focusmeter %s: %s\nRun 'focusmeter %s --help' for the options.\n", command, message.c_str(),
               command);
  return kExitUsage;
}

int fail(const char* command, int code, const std::string& message) {
  std::fprintf(stderr, "focusmeter %s: %s\n", command, message.c_str());
  return code;
}

}  // namespace focusmeter::cli
