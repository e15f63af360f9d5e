// `focusmeter discover`: WS-Discovery of ONVIF cameras on the local network,
// printed as a camera list for `focusmeter scan --cameras`.
#include <gio/gio.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "commands.h"
#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "scan/discovery.h"
#include "scan/targets.h"

namespace cli = focusmeter::cli;
namespace scan = focusmeter::scan;

namespace {

constexpr const char* kCommand = "discover";

int usage_error(const std::string& message) { return cli::usage_error(kCommand, message); }

}  // namespace

int focusmeter_discover_main(int argc, char** argv) {
  cli::OptionString probe_address;
  gdouble wait = 3.0;
  const GOptionEntry entries[] = {
      {"probe-address", 0, 0, G_OPTION_ARG_STRING, probe_address.slot(),
       "Send the Probe to ADDR[:PORT] instead of the multicast group 239.255.255.250:3702", "ADDR[:PORT]"},
      {"timeout", 't', 0, G_OPTION_ARG_DOUBLE, &wait, "Seconds to wait for answers (default 3)", "S"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  cli::set_command_name(kCommand);
  g_autoptr(GOptionContext) ctx = g_option_context_new("- find ONVIF cameras on the local network (WS-Discovery)");
  g_option_context_set_description(ctx,
                                   "Prints the cameras found as a camera list (JSON) on stdout:\n"
                                   "  focusmeter discover > cameras.json && focusmeter scan --cameras cameras.json\n"
                                   "Exit status: 0 cameras found, 2 none answered, 64 usage error.\n");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) return usage_error(err->message);
  if (argc > 1) return usage_error(std::string("unexpected argument '") + argv[1] + "'");
  if (!(wait > 0 && wait <= 60)) return usage_error("--timeout must be in (0, 60] s");

  std::string address = scan::kDiscoveryGroup;
  int port = scan::kDiscoveryPort;
  if (probe_address.given()) {
    std::string text = probe_address.get();
    if (const auto colon = text.find(':'); colon != std::string::npos) {
      const std::string p = text.substr(colon + 1);
      char* end = nullptr;
      const long v = std::strtol(p.c_str(), &end, 10);
      if (p.empty() || *end || v < 1 || v > 65535) return usage_error("--probe-address: port must be 1-65535");
      port = static_cast<int>(v);
      text.resize(colon);
    }
    const auto ip = scan::parse_ipv4(text);
    if (!ip) return usage_error("--probe-address: '" + text + "' is not an IPv4 address");
    if (text != scan::kDiscoveryGroup && scan::never_probed(*ip))
      return usage_error("--probe-address: '" + text + "' is in " + scan::never_probed(*ip));
    address = text;
  }

  std::vector<scan::DiscoveredDevice> devices;
  std::string error;
  if (!scan::ws_discover(address, port, wait, devices, error)) return cli::fail(kCommand, cli::kExitSoftware, error);
  std::fputs(scan::cameras_json(devices).c_str(), stdout);
  std::fprintf(stderr, "focusmeter discover: %zu ONVIF device%s answered on %s:%d\n", devices.size(),
               devices.size() == 1 ? "" : "s", address.c_str(), port);
  return devices.empty() ? 2 : 0;
}
