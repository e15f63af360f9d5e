// Placeholder until the 'check' issue lands: says so plainly and fails.
#include <cstdio>

#include "commands.h"
#include "common/exit_codes.h"

int focusmeter_check_main(int, char**) {
  std::fprintf(stderr, "focusmeter check: not implemented yet\n");
  return focusmeter::cli::kExitSoftware;
}
