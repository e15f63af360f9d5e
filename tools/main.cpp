// focusmeter: one program, one subcommand per job. The subcommands are thin
// mains over the shared libraries in tools/*/ and the core.
#include <gst/gst.h>

#include <clocale>
#include <cstdio>
#include <cstring>
#include <opencv2/core/utility.hpp>
#include <string>

#include "cli/exit_codes.h"
#include "cli/model_loading.h"
#include "commands.h"
#include "focusmeter/model.h"

namespace {

struct Command {
  const char* name;
  int (*main)(int, char**);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"scan", focusmeter_scan_main, "check IP cameras over address ranges (RTSP)"},
    {"discover", focusmeter_discover_main, "find ONVIF cameras on the local network (WS-Discovery)"},
    {"check", focusmeter_check_main, "check images, folders, recorded clips and stream URIs"},
    {"train", focusmeter_train_main, "build a data set and train a focus model"},
    {"serve", focusmeter_serve_main, "answer focus predictions over a JSON HTTP API"},
#ifdef FOCUSMETER_HAVE_WATCH
    {"watch", focusmeter_watch_main, "check cameras on a schedule against their own reference, with alerts"},
#endif
};

void usage(FILE* out) {
  std::fprintf(out,
               "Usage: focusmeter COMMAND [OPTION...]\n\n"
               "Tells whether cameras, images and clips are in focus (CLEAR) or not (BLURRY).\n\n"
               "Commands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
  std::fprintf(out, "\nRun 'focusmeter COMMAND --help' for a command's options.\n");
}

// Like ffprobe -version: this program and the libraries and model it runs
// with, so a bug report says which ones. The model is --model's (also
// --model=FILE) when given, else the default one looked up as the commands do.
int print_versions(int argc, char** argv) {
  const char* model_arg = nullptr;
  std::string model_buf;
  for (int i = 1; i < argc; ++i) {
    if ((!std::strcmp(argv[i], "--model") || !std::strcmp(argv[i], "-m")) && i + 1 < argc) model_arg = argv[i + 1];
    if (!std::strncmp(argv[i], "--model=", 8)) model_arg = (model_buf = argv[i] + 8).c_str();
  }
  std::printf("focusmeter %s\n", FOCUSMETER_VERSION);
  g_autofree gchar* gst = gst_version_string();
  std::printf("%s (built against %d.%d.%d)\n", gst, GST_VERSION_MAJOR, GST_VERSION_MINOR, GST_VERSION_MICRO);
  std::printf("OpenCV %s\n", cv::getVersionString().c_str());
  try {
    const focusmeter::cli::ModelChoice m = focusmeter::cli::choose_model(model_arg, false);
    std::printf("model %s (format version %d) from %s\n", m.model->name().c_str(), focusmeter::Model::kFormatVersion,
                m.origin.c_str());
  } catch (const std::exception& e) {
    std::printf("model: does not load (%s)\n", e.what());
  }
  return 0;
}

// `--version` anywhere among a command's options (before a "--").
bool asks_version(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--")) return false;
    if (!std::strcmp(argv[i], "--version")) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // The user's locale for messages and GOption's help ("[OPTION…]" in a
  // UTF-8 locale); numbers stay C-formatted so reports (CSV, JSON, tables)
  // read the same everywhere.
  std::setlocale(LC_ALL, "");
  std::setlocale(LC_NUMERIC, "C");
  if (asks_version(argc, argv)) return print_versions(argc, argv);
  if (argc < 2) {
    usage(stderr);
    return focusmeter::cli::kExitUsage;
  }
  const char* name = argv[1];
  if (!std::strcmp(name, "-h") || !std::strcmp(name, "--help") || !std::strcmp(name, "help")) {
    usage(stdout);
    return 0;
  }
  for (const Command& c : kCommands)
    if (!std::strcmp(name, c.name)) return c.main(argc - 1, argv + 1);
  std::fprintf(stderr, "focusmeter: unknown command '%s'\n\n", name);
  usage(stderr);
  return focusmeter::cli::kExitUsage;
}
