// focusmeter: one program, one subcommand per job. The subcommands are thin
// mains over the shared libraries in tools/*/ and the core.
#include <gst/gst.h>

#include <cstdio>
#include <cstring>

#include "commands.h"
#include "cli/exit_codes.h"

namespace {

struct Command {
  const char* name;
  int (*main)(int, char**);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"scan", focusmeter_scan_main, "check IP cameras over address ranges (RTSP)"},
    {"check", focusmeter_check_main, "check images, folders, recorded clips and stream URIs"},
    {"train", focusmeter_train_main, "build a data set and train a focus model"},
    {"serve", focusmeter_serve_main, "answer focus predictions over a JSON HTTP API"},
};

void usage(FILE* out) {
  std::fprintf(out,
               "Usage: focusmeter COMMAND [OPTION...]\n\n"
               "Tells whether cameras, images and clips are in focus (CLEAR) or not (BLURRY).\n\n"
               "Commands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-7s %s\n", c.name, c.summary);
  std::fprintf(out, "\nRun 'focusmeter COMMAND --help' for a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return focusmeter::cli::kExitUsage;
  }
  const char* name = argv[1];
  if (!std::strcmp(name, "-h") || !std::strcmp(name, "--help") || !std::strcmp(name, "help")) {
    usage(stdout);
    return 0;
  }
  if (!std::strcmp(name, "--version")) {
    std::printf("focusmeter %s\n", FOCUSMETER_VERSION);
    return 0;
  }
  for (const Command& c : kCommands)
    if (!std::strcmp(name, c.name)) return c.main(argc - 1, argv + 1);
  std::fprintf(stderr, "focusmeter: unknown command '%s'\n\n", name);
  usage(stderr);
  return focusmeter::cli::kExitUsage;
}
