// Placeholder until the 'scan' issue lands: says so plainly and fails.
#include <cstdio>

#include "commands.h"
#include "common/exit_codes.h"

int focusmeter_scan_main(int, char**) {
  std::fprintf(stderr, "focusmeter scan: not implemented yet\n");
  return focusmeter::cli::kExitSoftware;
}
