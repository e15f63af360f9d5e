#include "watch/watch_options.h"

#include <gst/gst.h>

#include <algorithm>
#include <thread>

#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "focusmeter/parameters.h"
#include "gstreamer/credentials.h"
#include "scan/credentials.h"

namespace focusmeter::watch {

namespace {

struct RawOptions {
  cli::OptionString targets_file, cameras_file, brand, url_template, user, password_file, model, channels, transport;
  gint port = 554;
  gint onvif_port = 80;
  gboolean substream = FALSE;
  gdouble probe_timeout = 1.0;
  gdouble timeout = 10.0;
  gint frames = 2;  // --frames 3 adds the stream overlay rule, at about 40 % more CPU (docs/watch.md)
  gint jobs = 4;
  gboolean no_model = FALSE;
  gdouble threshold = parameters::Threshold::kModelOwn;
  gdouble blurry_share = parameters::BlurryShare::kDefault;
  gboolean allow_basic_auth = FALSE;
  gboolean metrics_allow_remote = FALSE;
  cli::OptionStrings targets;
  // The watch's own.
  cli::OptionString every, state, webhook, webhook_token_file, mqtt, mqtt_prefix, on_alert, metrics_listen, shard;
  gdouble jitter = 0.1;
  gboolean once = FALSE;
  gint confirm = 3;
  gint learn = kDefaultLearnChecks;
  gdouble drift = 0.5;
  gdouble view_match = 0.6;
  gdouble drain = 10;
  gboolean quiet = FALSE;
};

bool parse_mqtt_address(const std::string& text, MqttConfig& c, std::string& error) {
  const auto colon = text.rfind(':');
  c.host = colon == std::string::npos ? text : text.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = text.substr(colon + 1);
    char* end = nullptr;
    const long p = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end || p < 1 || p > 65535) {
      error = "--mqtt: the port must be 1-65535";
      return false;
    }
    c.port = static_cast<int>(p);
  }
  if (c.host.empty()) {
    error = "--mqtt needs HOST[:PORT]";
    return false;
  }
  return true;
}

}  // namespace

std::string default_state_path() {
  const char* xdg = g_getenv("XDG_STATE_HOME");
  const std::string base =
      xdg && *xdg && g_path_is_absolute(xdg) ? std::string(xdg) : std::string(g_get_home_dir()) + "/.local/state";
  return base + "/focusmeter/watch.db";
}

int parse_watch_options(int& argc, char**& argv, const char* command, const char* parameter_string, bool need_targets,
                        const GOptionEntry* extra, WatchOptions& out) {
  RawOptions o;
  auto usage = [&](const std::string& m) { return cli::usage_error(command, m); };
  const GOptionEntry entries[] = {
      {"targets", 0, 0, G_OPTION_ARG_FILENAME, o.targets_file.slot(), "Read targets from FILE, one per line", "FILE"},
      {"cameras", 0, 0, G_OPTION_ARG_FILENAME, o.cameras_file.slot(),
       "Read a camera list (scan's CSV or JSON; JSON entries may add every, threshold, drift, reference)", "FILE"},
      {"brand", 'b', 0, G_OPTION_ARG_STRING, o.brand.slot(), "Camera brand, as scan (default auto)", "BRAND"},
      {"url-template", 0, 0, G_OPTION_ARG_STRING, o.url_template.slot(), "Stream URL template, as scan", "TEMPLATE"},
      {"channels", 0, 0, G_OPTION_ARG_STRING, o.channels.slot(), "NVR channels, as scan", "LIST"},
      {"port", 'p', 0, G_OPTION_ARG_INT, &o.port, "RTSP port (default 554)", "PORT"},
      {"onvif-port", 0, 0, G_OPTION_ARG_INT, &o.onvif_port, "ONVIF HTTP port (default 80)", "PORT"},
      {"substream", 0, 0, G_OPTION_ARG_NONE, &o.substream, "Use the brand's low-resolution substream", nullptr},
      {"user", 'u', 0, G_OPTION_ARG_STRING, o.user.slot(), "Camera user name", "USER"},
      {"password-file", 0, 0, G_OPTION_ARG_FILENAME, o.password_file.slot(),
       "Read the password from FILE (else $FOCUSMETER_PASSWORD)", "FILE"},
      {"probe-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o.probe_timeout, "TCP probe bound in seconds (default 1)", "S"},
      {"timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o.timeout, "Per-check bound in seconds (default 10)", "S"},
      {"frames", 'n', 0, G_OPTION_ARG_INT, &o.frames, "Keyframes to judge per check (default 2)", "N"},
      {"jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs, "Checks at once (default 4)", "N"},
      {parameters::ModelFile::kName, 'm', 0, G_OPTION_ARG_FILENAME, o.model.slot(), parameters::ModelFile::kDoc,
       "FILE"},
      {"no-model", 0, 0, G_OPTION_ARG_NONE, &o.no_model, "No absolute verdict (reference learning needs one)", nullptr},
      {parameters::Threshold::kName, 't', 0, G_OPTION_ARG_DOUBLE, &o.threshold, parameters::Threshold::kDoc, "SCORE"},
      {parameters::BlurryShare::kName, 0, 0, G_OPTION_ARG_DOUBLE, &o.blurry_share, parameters::BlurryShare::kDoc,
       "SHARE"},
      {"transport", 0, 0, G_OPTION_ARG_STRING, o.transport.slot(), "RTP transport: auto, tcp, udp or http", "T"},
      {"allow-basic-auth", 0, 0, G_OPTION_ARG_NONE, &o.allow_basic_auth,
       "Send the password to cameras that offer only Basic auth", nullptr},
      {"every", 0, 0, G_OPTION_ARG_STRING, o.every.slot(), "Check each camera this often (default 5m)", "DURATION"},
      {"jitter", 0, 0, G_OPTION_ARG_DOUBLE, &o.jitter, "Spread checks by +- this share of the interval (0.1)", "SHARE"},
      {"once", 0, 0, G_OPTION_ARG_NONE, &o.once, "Check every camera once, then exit with scan's exit codes", nullptr},
      {"state", 0, 0, G_OPTION_ARG_FILENAME, o.state.slot(), "State file (default $XDG_STATE_HOME/focusmeter/watch.db)",
       "FILE"},
      {"confirm", 0, 0, G_OPTION_ARG_INT, &o.confirm, "Consecutive checks that open or close an incident (3)", "N"},
      {"learn", 0, 0, G_OPTION_ARG_INT, &o.learn, "Healthy checks a reference is learned from (5)", "N"},
      {"drift", 0, 0, G_OPTION_ARG_DOUBLE, &o.drift,
       "Relative focus drop at or above which a camera is BLURRY (drift) (0.5)", "SHARE"},
      {"view-match", 0, 0, G_OPTION_ARG_DOUBLE, &o.view_match, "Scene match below which the view changed (0.6)", "NCC"},
      {"webhook", 0, 0, G_OPTION_ARG_STRING, o.webhook.slot(), "POST each incident open/close to URL", "URL"},
      {"webhook-token-file", 0, 0, G_OPTION_ARG_FILENAME, o.webhook_token_file.slot(),
       "Bearer token for --webhook, from FILE", "FILE"},
      {"mqtt", 0, 0, G_OPTION_ARG_STRING, o.mqtt.slot(), "Publish incidents and camera states to this broker",
       "HOST:PORT"},
      {"mqtt-topic-prefix", 0, 0, G_OPTION_ARG_STRING, o.mqtt_prefix.slot(), "MQTT topic prefix (focusmeter)",
       "PREFIX"},
      {"on-alert", 0, 0, G_OPTION_ARG_STRING, o.on_alert.slot(), "Run CMD per alert, the event JSON on stdin", "CMD"},
      {"metrics-listen", 0, 0, G_OPTION_ARG_STRING, o.metrics_listen.slot(),
       "Serve the cameras' Prometheus gauges at http://HOST:PORT/metrics (loopback unless "
       "--metrics-allow-remote)",
       "HOST:PORT"},
      {"metrics-allow-remote", 0, 0, G_OPTION_ARG_NONE, &o.metrics_allow_remote,
       "Allow a --metrics-listen address that is not loopback (a Prometheus elsewhere, a pod's IP)", nullptr},
      {"shard", 0, 0, G_OPTION_ARG_STRING, o.shard.slot(), "Check only the cameras of shard K of N (0-based)", "K/N"},
      {"drain", 0, 0, G_OPTION_ARG_DOUBLE, &o.drain, "On exit, seconds queued alerts may still take (10)", "S"},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No line per check on stdout", nullptr},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, o.targets.slot(), nullptr, "TARGET..."},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  cli::set_command_name(command);
  g_autoptr(GOptionContext) ctx = g_option_context_new(parameter_string);
  g_option_context_set_description(
      ctx,
      "Each camera is checked every --every through scan's stream path, keyframes only, and judged against\n"
      "its own reference (learned from its first --learn healthy checks, day and night apart): BLURRY (drift)\n"
      "when its focus dropped, VIEW CHANGED when the scene moved, UNKNOWN when covered or too dark. An\n"
      "incident opens after --confirm bad checks and closes after --confirm good ones; one alert per change.\n"
      "Runs until SIGINT/SIGTERM (checks in flight finish; exit 0). --once: exit 0 all CLEAR, 1 any BLURRY,\n"
      "2 some camera unchecked, 64 usage error, 130/143 interrupted. The password is never on the command line.\n");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  if (extra) g_option_context_add_main_entries(ctx, extra, nullptr);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) return usage(err->message);

  // --- stream settings (scan's rules) ----------------------------------------
  scan::ScanSettings& s = out.check.scan;
  if (o.port < 1 || o.port > 65535 || o.onvif_port < 1 || o.onvif_port > 65535)
    return usage("--port and --onvif-port must be 1-65535");
  if (o.frames < 1 || o.frames > 20) return usage("--frames must be 1-20");
  if (o.jobs < 1 || o.jobs > 1024) return usage("--jobs must be 1-1024");
  if (!(o.probe_timeout > 0 && o.probe_timeout <= 60)) return usage("--probe-timeout must be in (0, 60] s");
  if (!(o.timeout > 0 && o.timeout <= 600)) return usage("--timeout must be in (0, 600] s");
  if (!parameters::Threshold::valid(o.threshold))
    return usage(std::string("--threshold ") + parameters::Threshold::kRule);
  if (!parameters::BlurryShare::valid(o.blurry_share))
    return usage(std::string("--blurry-share ") + parameters::BlurryShare::kRule);
  s.port = o.port;
  s.onvif_port = o.onvif_port;
  s.substream = o.substream;
  s.allow_basic_auth = o.allow_basic_auth;
  s.probe_timeout_ms = static_cast<int>(o.probe_timeout * 1000);
  s.timeout_seconds = o.timeout;
  s.stream.frames = o.frames;
  s.stream.keyframes_only = true;
  s.stream.want_frame = true;
  if (o.transport.given()) {
    const auto t = stream::parse_transport(o.transport.get());
    if (!t) return usage("--transport must be auto, tcp, udp or http");
    s.stream.transport = *t;
  }
  s.threshold = parameters::Threshold::from_value(o.threshold);
  s.blurry_share = o.blurry_share;
  s.brand = o.brand.or_else("auto");
  if (!scan::routes_for_brand(s.brand, false)) return usage("unknown --brand");
  if (o.url_template.given()) {
    const std::string why = scan::validate_template(o.url_template.get());
    if (!why.empty()) return usage("--url-template " + why);
    s.url_template = o.url_template.get();
  }
  try {
    const gst::StreamCredentials c = gst::credentials_from_options(o.user.get(), o.password_file.get());
    s.user = c.user;
    s.password = c.password;
  } catch (const gst::CredentialError& e) {
    return usage(e.what());
  }

  // --- the watch's own --------------------------------------------------------
  const auto every = parse_duration(o.every.or_else("5m"));
  if (!every || *every < 1) return usage("--every must be a duration of 1 s or more, e.g. 300, 90s, 5m, 1h");
  out.loop.every_s = *every;
  if (!(o.jitter >= 0 && o.jitter <= 0.5)) return usage("--jitter must be in [0, 0.5]");
  out.loop.jitter = o.jitter;
  out.loop.jobs = o.jobs;
  out.loop.once = o.once;
  if (!(o.drain >= 0 && o.drain <= 600)) return usage("--drain must be in [0, 600] s");
  out.loop.drain_s = o.drain;
  if (o.confirm < 1 || o.confirm > 100) return usage("--confirm must be 1-100");
  out.confirm = o.confirm;
  if (o.learn < 1 || o.learn > 100) return usage("--learn must be 1-100");
  out.check.learn_checks = o.learn;
  if (!(o.drift > 0 && o.drift < 1)) return usage("--drift must be in (0, 1)");
  if (!(o.view_match > -1 && o.view_match < 1)) return usage("--view-match must be in (-1, 1)");
  out.check.thresholds.drift = o.drift;
  out.check.thresholds.view_match_min = o.view_match;
  out.state_path = o.state.or_else(default_state_path());
  out.quiet = o.quiet;
  if (o.webhook.given()) {
    WebhookConfig w;
    w.url = o.webhook.get();
    w.token_file = o.webhook_token_file.or_else("");
    out.webhook = w;
  } else if (o.webhook_token_file.given()) {
    return usage("--webhook-token-file needs --webhook");
  }
  if (o.mqtt.given()) {
    MqttConfig m;
    std::string error;
    if (!parse_mqtt_address(o.mqtt.get(), m, error)) return usage(error);
    m.prefix = o.mqtt_prefix.or_else("focusmeter");
    out.mqtt = m;
  } else if (o.mqtt_prefix.given()) {
    return usage("--mqtt-topic-prefix needs --mqtt");
  }
  out.on_alert = o.on_alert.or_else("");
  if (o.metrics_listen.given()) {
    serve::ListenAddress where;
    std::string error;
    if (!serve::parse_listen_address(o.metrics_listen.get(), where, error)) return usage("--metrics-listen: " + error);
    // Plain HTTP without authentication: the gauges name the cameras (never
    // a password), so exposing them beyond the machine is a choice to make.
    if (!serve::is_loopback(where.host) && !o.metrics_allow_remote)
      return usage(std::string("--metrics-listen ") + o.metrics_listen.get() +
                   " is not loopback (plain HTTP, the cameras' names); add --metrics-allow-remote");
    out.metrics_listen = where;
  }
  if (o.metrics_allow_remote && !o.metrics_listen.given())
    return usage("--metrics-allow-remote needs --metrics-listen");
  if (o.shard.given()) {
    std::string error;
    const auto shard = scan::parse_shard(o.shard.get(), error);
    if (!shard) return usage(error);
    out.shard = *shard;
  }

  // --- cameras ------------------------------------------------------------------
  std::vector<WatchFields> fields;
  try {
    for (const gchar* t : o.targets) {
      scan::TargetSpec spec = scan::parse_target(t);
      if (!spec.password.empty())
        return usage(
            "a password in a URL on the command line would be visible to every user; "
            "use --user with --password-file or FOCUSMETER_PASSWORD");
      out.specs.push_back(std::move(spec));
    }
    if (o.targets_file.given())
      for (auto& t : scan::read_targets_file(o.targets_file.get())) out.specs.push_back(std::move(t));
    if (o.cameras_file.given()) {
      fields.assign(out.specs.size(), WatchFields{});
      const auto listed = scan::read_cameras_file(o.cameras_file.get());
      const auto watch_fields = read_watch_fields(o.cameras_file.get());
      for (std::size_t i = 0; i < listed.size(); ++i) {
        scan::TargetSpec spec = listed[i];
        if (spec.password.empty() && !spec.password_ref.empty())
          spec.password = scan::resolve_password(spec.password_ref);
        out.specs.push_back(std::move(spec));
        fields.push_back(i < watch_fields.size() ? watch_fields[i] : WatchFields{});
      }
    }
    scan::enforce_range_limits(out.specs, false);
    std::vector<int> channels;
    if (o.channels.given()) {
      std::string why;
      channels = scan::parse_channels(o.channels.get(), why);
      if (channels.empty()) return usage("--channels: " + why);
    }
    out.cameras = expand_cameras(out.specs, fields, channels, o.port);
  } catch (const scan::TargetError& e) {
    return usage(e.what());
  } catch (const scan::CredentialError& e) {
    return usage(e.what());
  }
  out.cameras_listed = out.cameras.size();
  if (out.shard.count > 1)
    out.cameras.erase(std::remove_if(out.cameras.begin(), out.cameras.end(),
                                     [&](const WatchCamera& c) { return !scan::in_shard(c.identity, out.shard); }),
                      out.cameras.end());
  if (need_targets && out.cameras_listed == 0)
    return usage("no cameras (give addresses, URLs, --targets or --cameras)");

  // --- model --------------------------------------------------------------------
  // A command that checks no camera (reference show) needs no model.
  if (!o.no_model && !out.cameras.empty()) {
    try {
      out.model = cli::choose_model(o.model.given() ? o.model.get() : nullptr, false);
    } catch (const ModelError& e) {
      return cli::fail(command, cli::model_error_exit_status(e), e.what());
    }
  }
  s.model = out.model.model;
  return -1;
}

}  // namespace focusmeter::watch
