// `focusmeter scan`: the command line, then the pool of camera checks, then
// the report. Everything camera-specific lives in camera_scan.
#include <gst/gst.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/model_loading.h"
#include "cli/report_options.h"
#include "commands.h"
#include "focusmeter/parameters.h"
#include "gstreamer/credentials.h"
#include "report/report.h"
#include "report/result.h"
#include "scan/camera_identity.h"
#include "scan/camera_scan.h"
#include "scan/credentials.h"
#include "scan/scan_report.h"
#include "scan/scheduler.h"
#include "scan/shard.h"
#include "scan/targets.h"

namespace fm = focusmeter;
namespace cli = focusmeter::cli;
namespace report = focusmeter::report;
namespace media = focusmeter::media;
namespace gst = focusmeter::gst;
namespace scan = focusmeter::scan;

namespace {

constexpr const char* kCommand = "scan";
// Scans of more targets than this announce their size on stderr first.
constexpr std::uint64_t kAnnouncedScanSize = 256;

struct RawOptions {
  cli::OptionString targets_file, cameras_file, brand, url_template, user, password_file, model, channels;
  gint port = 554;
  gint onvif_port = 80;
  gboolean substream = FALSE;
  gdouble probe_timeout = 1.0;
  gdouble timeout = 5.0;
  gint frames = 3;
  gint jobs = 0;
  gboolean no_model = FALSE;
  gdouble threshold = fm::parameters::Threshold::kModelOwn;
  gdouble blurry_share = fm::parameters::BlurryShare::kDefault;
  gboolean all = FALSE;
  cli::OptionString transport, shard;
  gboolean keyframes_only = FALSE;
  gboolean allow_large_range = FALSE;
  gboolean allow_basic_auth = FALSE;
  cli::OptionStrings targets;
};

int usage_error(const std::string& message) { return cli::usage_error(kCommand, message); }

int default_jobs() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<int>(std::clamp(4 * cores, 8u, 64u));
}

std::string brand_list() {
  std::string s = "auto";
  for (const auto& b : scan::known_brands()) s += ", " + b;
  return s;
}

}  // namespace

int focusmeter_scan_main(int argc, char** argv) {
  RawOptions o;
  const std::string brand_help =
      "Camera brand: " + brand_list() + " (default auto: ask ONVIF, then try every known route)";
  const GOptionEntry entries[] = {
      {"targets", 0, 0, G_OPTION_ARG_FILENAME, o.targets_file.slot(),
       "Read targets from FILE, one per line (# comments)", "FILE"},
      {"cameras", 0, 0, G_OPTION_ARG_FILENAME, o.cameras_file.slot(),
       "Read a camera list (CSV or JSON: name, host|url, port, brand, user, password_file|password_env, "
       "allow_basic_auth)",
       "FILE"},
      {"brand", 'b', 0, G_OPTION_ARG_STRING, o.brand.slot(), brand_help.c_str(), "BRAND"},
      {"url-template", 0, 0, G_OPTION_ARG_STRING, o.url_template.slot(),
       "Stream URL template, e.g. 'rtsp://{host}:{port}/live/{channel}/{stream}' (overrides --brand)", "TEMPLATE"},
      {"channels", 0, 0, G_OPTION_ARG_STRING, o.channels.slot(),
       "NVR/encoder channels to check on every address, e.g. 1-16 or 1,3,5-8 (one row each)", "LIST"},
      {"port", 'p', 0, G_OPTION_ARG_INT, &o.port, "RTSP port (default 554)", "PORT"},
      {"onvif-port", 0, 0, G_OPTION_ARG_INT, &o.onvif_port,
       "ONVIF HTTP port (default 80); --brand onvif asks only ONVIF, auto asks it first", "PORT"},
      {"substream", 0, 0, G_OPTION_ARG_NONE, &o.substream, "Use the brand's low-resolution substream", nullptr},
      {"user", 'u', 0, G_OPTION_ARG_STRING, o.user.slot(), "Camera user name", "USER"},
      {"password-file", 0, 0, G_OPTION_ARG_FILENAME, o.password_file.slot(),
       "Read the password from FILE (else $FOCUSMETER_PASSWORD)", "FILE"},
      {"probe-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o.probe_timeout, "TCP probe bound in seconds (default 1)", "S"},
      {"timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o.timeout,
       "Per-camera bound in seconds from connect to decision (default 5)", "S"},
      {"frames", 'n', 0, G_OPTION_ARG_INT, &o.frames, "Frames to analyse per camera, spread over ~1 s (default 3)",
       "N"},
      {"jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs, "Cameras checked at once (default 4 per core, 8 to 64)", "N"},
      {fm::parameters::ModelFile::kName, 'm', 0, G_OPTION_ARG_FILENAME, o.model.slot(), fm::parameters::ModelFile::kDoc,
       "FILE"},
      {"no-model", 0, 0, G_OPTION_ARG_NONE, &o.no_model,
       "Report features only, no verdict (exit status 2: nothing was judged)", nullptr},
      {fm::parameters::Threshold::kName, 't', 0, G_OPTION_ARG_DOUBLE, &o.threshold, fm::parameters::Threshold::kDoc,
       "SCORE"},
      {fm::parameters::BlurryShare::kName, 0, 0, G_OPTION_ARG_DOUBLE, &o.blurry_share,
       fm::parameters::BlurryShare::kDoc, "SHARE"},
      {"all", 'a', 0, G_OPTION_ARG_NONE, &o.all, "Also list the unreachable addresses of ranges and CIDR blocks",
       nullptr},
      {"transport", 0, 0, G_OPTION_ARG_STRING, o.transport.slot(),
       "RTP transport: auto (default: TCP, then UDP if the camera refuses TCP), tcp, udp or http", "T"},
      {"keyframes-only", 0, 0, G_OPTION_ARG_NONE, &o.keyframes_only,
       "Decode and judge keyframes only (cheaper; --frames keyframes, one per GOP)", nullptr},
      {"allow-basic-auth", 0, 0, G_OPTION_ARG_NONE, &o.allow_basic_auth,
       "Send the password to cameras that offer only Basic auth (in clear; rtsps:// always may)", nullptr},
      {"shard", 0, 0, G_OPTION_ARG_STRING, o.shard.slot(),
       "Check only the cameras of shard K of N (0-based; the same cameras as watch --shard K/N)", "K/N"},
      {"allow-large-range", 0, 0, G_OPTION_ARG_NONE, &o.allow_large_range,
       "Scan more than 65536 addresses (a /16); refused otherwise, as a likely typo", nullptr},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, o.targets.slot(), nullptr, "TARGET..."},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  cli::set_command_name(kCommand);
  g_autoptr(GOptionContext) ctx = g_option_context_new("- check IP cameras for focus over RTSP");
  g_option_context_set_summary(ctx,
                               "TARGET: 10.0.0.7, 10.0.0.10-60, 10.0.0.10-10.0.0.60, 10.0.0.0/24, a host name, or "
                               "rtsp://host[:port]/path.");
  g_option_context_set_description(
      ctx,
      "Each camera ends in one status: ok, unreachable, auth_failed, not_found, timeout, stream_error,\n"
      "no_picture.\n"
      "Exit status: 0 all checked cameras CLEAR, 1 at least one BLURRY, 2 some camera could not be\n"
      "checked (none BLURRY, or no camera answered at all), 64 usage error, 130/143 interrupted by\n"
      "SIGINT/SIGTERM (the report then holds the cameras done so far, marked partial).\n"
      "The password is never taken on the command line.\n");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  cli::ReportOptions report_options;
  cli::add_report_options(ctx, report_options);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) return usage_error(err->message);

  // --- settings -------------------------------------------------------------
  scan::ScanSettings settings;
  if (o.port < 1 || o.port > 65535) return usage_error("--port must be 1-65535");
  if (o.frames < 1 || o.frames > 100) return usage_error("--frames must be 1-100");
  if (o.jobs < 0 || o.jobs > 1024) return usage_error("--jobs must be 1-1024");
  if (!(o.probe_timeout > 0 && o.probe_timeout <= 60)) return usage_error("--probe-timeout must be in (0, 60] s");
  if (!(o.timeout > 0 && o.timeout <= 600)) return usage_error("--timeout must be in (0, 600] s");
  if (!fm::parameters::Threshold::valid(o.threshold))
    return usage_error(std::string("--threshold ") + fm::parameters::Threshold::kRule);
  if (!fm::parameters::BlurryShare::valid(o.blurry_share))
    return usage_error(std::string("--blurry-share ") + fm::parameters::BlurryShare::kRule);
  if (o.onvif_port < 1 || o.onvif_port > 65535) return usage_error("--onvif-port must be 1-65535");
  settings.port = o.port;
  settings.onvif_port = o.onvif_port;
  settings.substream = o.substream;
  settings.allow_basic_auth = o.allow_basic_auth;
  settings.probe_timeout_ms = static_cast<int>(o.probe_timeout * 1000);
  settings.timeout_seconds = o.timeout;
  settings.stream.frames = o.frames;
  settings.stream.keyframes_only = o.keyframes_only;
  if (o.transport.given()) {
    const auto transport = fm::stream::parse_transport(o.transport.get());
    if (!transport) return usage_error("--transport must be auto, tcp, udp or http");
    settings.stream.transport = *transport;
  }
  settings.threshold = fm::parameters::Threshold::from_value(o.threshold);
  settings.blurry_share = o.blurry_share;
  settings.brand = o.brand.or_else("auto");
  if (!scan::routes_for_brand(settings.brand, false)) return usage_error("unknown --brand; known: " + brand_list());
  if (o.url_template.given()) {
    const std::string why = scan::validate_template(o.url_template.get());
    if (!why.empty()) return usage_error("--url-template " + why);
    settings.url_template = o.url_template.get();
  }
  try {
    const gst::StreamCredentials credentials = gst::credentials_from_options(o.user.get(), o.password_file.get());
    settings.user = credentials.user;
    settings.password = credentials.password;
  } catch (const gst::CredentialError& e) {
    return usage_error(e.what());
  }

  // --- targets ----------------------------------------------------------------
  std::vector<scan::TargetSpec> specs;
  try {  // the command line: a mistake there is a usage error (64)
    for (const gchar* t : o.targets) {
      scan::TargetSpec spec = scan::parse_target(t);
      if (!spec.password.empty())
        return usage_error(
            "a password in a URL on the command line would be visible to every user; "
            "use --user with --password-file or FOCUSMETER_PASSWORD");
      specs.push_back(std::move(spec));
    }
  } catch (const scan::TargetError& e) {
    return usage_error(e.what());
  }
  try {  // the files: bad content is bad input data (65), like a bad model file
    if (o.targets_file.given())
      for (auto& s : scan::read_targets_file(o.targets_file.get())) specs.push_back(std::move(s));
    if (o.cameras_file.given())
      for (auto& s : scan::read_cameras_file(o.cameras_file.get())) {
        if (s.password.empty() && !s.password_ref.empty()) s.password = scan::resolve_password(s.password_ref);
        specs.push_back(std::move(s));
      }
  } catch (const scan::TargetError& e) {
    return cli::fail(kCommand, cli::kExitDataError, e.what());
  } catch (const scan::CredentialError& e) {
    return cli::fail(kCommand, cli::kExitDataError, e.what());
  }
  if (specs.empty()) return usage_error("no targets (give addresses, ranges, --targets or --cameras)");
  std::vector<int> channels;
  if (o.channels.given()) {
    std::string why;
    channels = scan::parse_channels(o.channels.get(), why);
    if (channels.empty()) return usage_error("--channels: " + why);
    if (settings.brand == "onvif")
      return usage_error("--channels and --brand onvif do not mix: ONVIF names streams by profile, not channel");
  }
  std::optional<scan::Shard> shard;
  if (o.shard.given()) {
    std::string why;
    shard = scan::parse_shard(o.shard.get(), why);
    if (!shard) return usage_error(why);
  }
  try {
    scan::enforce_range_limits(specs, o.allow_large_range);
  } catch (const scan::TargetError& e) {
    return usage_error(e.what());
  }
  for (const auto& s : specs)
    if (!s.brand.empty() && !scan::routes_for_brand(s.brand, false))
      return usage_error("camera '" + s.given + "': unknown brand '" + s.brand + "'; known: " + brand_list());

  // --- model and element ------------------------------------------------------
  if (o.no_model && o.model.given()) return usage_error("--model and --no-model exclude each other");
  cli::ModelChoice model;
  try {
    model = cli::choose_model(o.model.get(), o.no_model);
  } catch (const fm::ModelError& e) {
    return cli::fail(kCommand, cli::model_error_exit_status(e), e.what());
  }
  if (!model.model && !report_options.quiet)
    std::fprintf(stderr, "focusmeter scan: --no-model: reporting features only, no verdicts\n");
  settings.model = model.model;  // every element scores with this one loaded model
  g_autoptr(GstElementFactory) factory = gst_element_factory_find("focusmeter");
  if (!factory) {
    return cli::fail(kCommand, cli::kExitSoftware,
                     "the focusmeter GStreamer element is not installed (GST_PLUGIN_PATH?)");
  }

  // --- run ----------------------------------------------------------------------
  cli::ReportOutput output;
  std::string report_error;
  if (!output.open(report_options, report::ReportKind::Scan, report_error)) return usage_error(report_error);
  report::Report header;
  header.kind = report::ReportKind::Scan;
  header.started = report::utc_now_iso8601();
  if (settings.model) {
    header.model = model.origin;
    header.threshold = settings.threshold.value_or(settings.model->threshold());
  }
  settings.stream.want_frame = output.wants_frames();

  scan::TargetCursor cursor(specs, channels);
  // --shard: this instance checks only its own cameras; the report, the
  // progress and the exit status count those alone.
  auto mine = [&](const scan::Target& t) {
    return !shard || scan::in_shard(scan::camera_key(t, settings.port).identity, *shard);
  };
  // An unreachable address of a range is counted, not listed, once per
  // instance: at the first of its channels this instance checks. (Its
  // channels are split across shards like any cameras, so the first
  // channel of all may be another instance's, and counting there left this
  // one's count short.)
  auto first_mine_of_address = [&](const scan::Target& t) {
    if (channels.empty()) return true;
    for (const int c : channels) {
      scan::Target sibling = t;
      sibling.channel = c;
      if (mine(sibling)) return c == t.channel;
    }
    return false;
  };
  std::uint64_t total = cursor.total();
  if (shard) {
    scan::TargetCursor walk(specs, channels);
    total = 0;
    while (const auto t = walk.next()) total += mine(*t);
  }
  // Before a large scan starts, say how large it is (a /16 takes a while,
  // and a mistyped prefix shows here before the first packet).
  if (total > kAnnouncedScanSize)
    std::fprintf(stderr, "focusmeter scan: %llu addresses to probe\n", static_cast<unsigned long long>(total));
  scan::ScanReport report(output, std::move(header), total);
  // Ctrl-C/SIGTERM: a watcher writes the partial report and ends the
  // process (workers may be waiting out a camera's timeout).
  cli::InterruptWatch interrupt_watch;
  std::atomic<bool> scan_over{false};
  std::thread watcher([&] {
    while (!scan_over) {
      if (const int sig = cli::InterruptWatch::received()) {
        const int code = report.finish_partial(sig);
        std::fflush(nullptr);
        std::_Exit(code);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  scan::run_pool(cursor, o.jobs > 0 ? o.jobs : default_jobs(), [&](const scan::Target& target) {
    if (!mine(target)) return;
    cv::Mat frame;
    report::Result r = scan::scan_target(target, settings, report.wants_frames() ? &frame : nullptr);
    const scan::CameraKey key = scan::camera_key(target, settings.port);
    r.camera = key.identity;
    r.name = key.name;
    r.checked_at = g_get_real_time() / 1e6;
    const bool listed = o.all || !(target.from_range && r.status == report::Status::Unreachable);
    // Snapshots are named after the address for range members, else after
    // the target as given (a camera's name, a URL: unique per stream).
    const std::string label = (target.from_range ? target.host : target.spec->given) +
                              (target.channel > 0 ? "-ch" + std::to_string(target.channel) : "");
    report.add(target.index, std::move(r), frame, label, listed, first_mine_of_address(target));
  });
  scan_over = true;
  watcher.join();
  return report.finish();
}
