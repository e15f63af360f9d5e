// Placeholder until the 'serve' issue lands: says so plainly and fails.
#include <cstdio>

#include "commands.h"
#include "common/exit_codes.h"

int focusmeter_serve_main(int, char**) {
  std::fprintf(stderr, "focusmeter serve: not implemented yet\n");
  return focusmeter::cli::kExitSoftware;
}
