// Placeholder until the 'train' issue lands: says so plainly and fails.
#include <cstdio>

#include "commands.h"
#include "common/exit_codes.h"

int focusmeter_train_main(int, char**) {
  std::fprintf(stderr, "focusmeter train: not implemented yet\n");
  return focusmeter::cli::kExitSoftware;
}
