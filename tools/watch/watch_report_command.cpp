// `focusmeter watch report [--since 7d] [--format json|csv|html] [-o FILE]
// [--state FILE]`: the state file over a period (watch_report.h). Written to
// stdout, or to FILE at once (a temporary file renamed into place).
#include <glib.h>

#include <cstdio>

#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "commands.h"
#include "watch/watch_cameras.h"
#include "watch/watch_options.h"
#include "watch/watch_report.h"

namespace fw = focusmeter::watch;
namespace cli = focusmeter::cli;

namespace {
constexpr const char* kCommand = "watch report";
}  // namespace

int focusmeter_watch_report_main(int argc, char** argv) {
  cli::OptionString since, format, output, state;
  const GOptionEntry entries[] = {
      {"since", 0, 0, G_OPTION_ARG_STRING, since.slot(), "The period: this far back from now (default 7d)", "DURATION"},
      {"format", 'f', 0, G_OPTION_ARG_STRING, format.slot(), "json (default), csv or html", "FORMAT"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, output.slot(), "Write to FILE (default stdout)", "FILE"},
      {"state", 0, 0, G_OPTION_ARG_FILENAME, state.slot(), "State file (default $XDG_STATE_HOME/focusmeter/watch.db)",
       "FILE"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  cli::set_command_name(kCommand);
  g_autoptr(GOptionContext) ctx = g_option_context_new("- what the watch's state file says about each camera");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) return cli::usage_error(kCommand, err->message);
  if (argc > 1) return cli::usage_error(kCommand, std::string("unexpected argument '") + argv[1] + "'");
  const auto period = fw::parse_duration(since.or_else("7d"));
  if (!period) return cli::usage_error(kCommand, "--since must be a duration, e.g. 7d, 24h, 90m");
  const std::string fmt = format.or_else("json");
  if (fmt != "json" && fmt != "csv" && fmt != "html")
    return cli::usage_error(kCommand, "--format must be json, csv or html");
  const std::string path = state.or_else(fw::default_state_path());
  if (!g_file_test(path.c_str(), G_FILE_TEST_IS_REGULAR))
    return cli::fail(kCommand, cli::kExitDataError, "no state file " + path + " (run focusmeter watch first)");
  std::string text;
  try {
    fw::StateStore store(path);
    const double now = g_get_real_time() / 1e6;
    const fw::WatchReport report = fw::build_watch_report(store, now - *period, now);
    text = fmt == "json"  ? fw::watch_report_json(report)
           : fmt == "csv" ? fw::watch_report_csv(report)
                          : fw::watch_report_html(report);
  } catch (const std::exception& e) {
    return cli::fail(kCommand, cli::kExitDataError, "state " + path + ": " + e.what());
  }
  if (!output.given()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : cli::fail(kCommand, cli::kExitSoftware, "cannot write the report");
  }
  if (!g_file_set_contents(output.get(), text.data(), static_cast<gssize>(text.size()), &err))
    return cli::fail(kCommand, cli::kExitDataError, err->message);
  return 0;
}
