// `focusmeter watch`: the command line (watch_options), then the state, the
// alert sinks and the metrics endpoint, then the loop (watch_loop). Its
// subcommands `watch reference` and `watch report` have files of their own.
#include <glib/gstdio.h>
#include <gst/gst.h>

#include <cstdio>
#include <cstring>

#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "commands.h"
#include "watch/command_hook_sink.h"
#include "watch/metrics_endpoint.h"
#include "watch/watch_options.h"

namespace fw = focusmeter::watch;
namespace cli = focusmeter::cli;

namespace {

constexpr const char* kCommand = "watch";

}  // namespace

int focusmeter_watch_main(int argc, char** argv) {
  if (argc >= 2 && !std::strcmp(argv[1], "reference")) return focusmeter_watch_reference_main(argc - 1, argv + 1);
  if (argc >= 2 && !std::strcmp(argv[1], "report")) return focusmeter_watch_report_main(argc - 1, argv + 1);
  fw::WatchOptions o;
  const int parsed = fw::parse_watch_options(
      argc, argv, kCommand, "- check cameras on a schedule against their own reference", true, nullptr, o);
  if (parsed >= 0) return parsed;
  if (o.cameras.empty()) {
    std::fprintf(stderr, "focusmeter watch: shard %u/%u holds none of the %zu cameras; nothing to do\n", o.shard.index,
                 o.shard.count, o.cameras_listed);
    return o.loop.once ? cli::kExitUnchecked : 0;
  }
  g_autoptr(GstElementFactory) factory = gst_element_factory_find("focusmeter");
  if (!factory)
    return cli::fail(kCommand, cli::kExitSoftware,
                     "the focusmeter GStreamer element is not installed (GST_PLUGIN_PATH?)");

  // --- state ----------------------------------------------------------------------
  g_autofree gchar* state_dir = g_path_get_dirname(o.state_path.c_str());
  if (g_mkdir_with_parents(state_dir, 0700) != 0)
    return cli::fail(kCommand, cli::kExitDataError, std::string("cannot create ") + state_dir);
  std::unique_ptr<fw::WatchState> state;
  try {
    state = std::make_unique<fw::WatchState>(o.state_path, o.confirm);
    for (fw::WatchCamera& c : o.cameras) fw::register_camera(*state, c);
  } catch (const std::exception& e) {
    return cli::fail(kCommand, cli::kExitDataError, "state " + o.state_path + ": " + e.what());
  }

  // --- alerts -----------------------------------------------------------------------
  std::vector<std::unique_ptr<fw::AlertSink>> sinks;
  const fw::AlertLog log = fw::default_alert_log();
  std::string error;
  if (o.webhook) {
    auto sink = fw::WebhookSink::create(*o.webhook, log, error);
    if (!sink) return cli::usage_error(kCommand, "--webhook: " + error);
    sinks.push_back(std::move(sink));
  }
  if (o.mqtt) {
    auto sink = fw::MqttSink::create(*o.mqtt, log, error);
    if (!sink) return cli::usage_error(kCommand, "--mqtt: " + error);
    sinks.push_back(std::move(sink));
  }
  if (!o.on_alert.empty()) {
    fw::CommandHookConfig hook;
    hook.command = o.on_alert;
    auto sink = fw::CommandHookSink::create(hook, log, error);
    if (!sink) return cli::usage_error(kCommand, "--on-alert: " + error);
    sinks.push_back(std::move(sink));
  }

  // --- run ------------------------------------------------------------------------------
  FILE* out = stdout;
  FILE* devnull = nullptr;
  if (o.quiet) out = devnull = std::fopen("/dev/null", "w");
  cli::InterruptWatch interrupt_watch;
  fw::WatchLoop loop(o.cameras, o.check, *state, sinks, o.loop, out ? out : stdout);
  std::unique_ptr<fw::MetricsEndpoint> metrics;
  if (o.metrics_listen) {
    metrics = fw::MetricsEndpoint::start(
        *o.metrics_listen,
        [&loop] { return focusmeter::report::render_camera_metrics(loop.gauges(), FOCUSMETER_VERSION); }, error);
    if (!metrics) return cli::fail(kCommand, cli::kExitUsage, error);
    std::fprintf(stderr, "focusmeter watch: metrics at http://%s:%u/metrics\n", o.metrics_listen->host.c_str(),
                 metrics->port());
  }
  if (!o.quiet)
    std::fprintf(stderr, "focusmeter watch: %zu camera(s)%s, every %.0f s, state %s\n", o.cameras.size(),
                 o.shard.count > 1 ? (" (shard " + std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count) +
                                      " of " + std::to_string(o.cameras_listed) + ")")
                                         .c_str()
                                   : "",
                 o.loop.every_s, o.state_path.c_str());
  const int status = loop.run();
  if (devnull) std::fclose(devnull);
  return status;
}
