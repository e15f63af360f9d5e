// `focusmeter serve`: options, model, signals and the main loop around
// HttpService. See docs/serve.md for the API.
#include <glib-unix.h>
#include <glib.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "cli/model_loading.h"
#include "commands.h"
#include "focusmeter/model.h"
#include "media/image_luma.h"
#include "serve/http_service.h"
#include "serve/listen_address.h"
#include "serve/request_checks.h"
#include "serve/routes.h"

namespace fm = focusmeter;
namespace fs = focusmeter::serve;

namespace {

// Longest wait for requests in flight after SIGTERM/SIGINT.
constexpr gint64 kDrainSeconds = 10;

constexpr const char* kCommand = "serve";

struct Options {
  fm::cli::OptionString listen, model, token_file;
  gboolean allow_remote = FALSE;
  gint64 max_body_bytes = 20 * 1024 * 1024;
  gint workers = 0;
  gint max_queue = 64;
  gint debug_delay_ms = 0;
  gint64 max_pixels = static_cast<gint64>(fm::media::kDefaultMaxImagePixels);
  gint max_connections = 0;
  gboolean verbose = FALSE;
};

struct Shutdown {
  GMainLoop* loop = nullptr;
  fs::HttpService* service = nullptr;
  gint64 deadline = 0;  // monotonic us; 0 = not shutting down
  guint poll_id = 0;
};

gboolean drain_poll(gpointer data) {
  auto* s = static_cast<Shutdown*>(data);
  if (s->service->busy() == 0 || g_get_monotonic_time() >= s->deadline) {
    if (s->service->busy() > 0)
      std::fprintf(stderr, "focusmeter serve: %u requests still running after %llds; stopping anyway\n",
                   s->service->busy(), static_cast<long long>(kDrainSeconds));
    g_main_loop_quit(s->loop);
    s->poll_id = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

gboolean on_signal(gpointer data) {
  auto* s = static_cast<Shutdown*>(data);
  if (s->deadline) {  // a second signal: stop now
    g_main_loop_quit(s->loop);
    return G_SOURCE_CONTINUE;
  }
  std::fprintf(stderr, "focusmeter serve: shutting down, finishing %u requests in flight\n", s->service->busy());
  s->service->begin_drain();
  s->deadline = g_get_monotonic_time() + kDrainSeconds * G_USEC_PER_SEC;
  s->poll_id = g_timeout_add(20, drain_poll, s);
  return G_SOURCE_CONTINUE;
}

int fail(int code, const std::string& line) { return fm::cli::fail(kCommand, code, line); }

}  // namespace

int focusmeter_serve_main(int argc, char** argv) {
  Options o;
  const GOptionEntry entries[] = {
      {"listen", 'l', 0, G_OPTION_ARG_STRING, o.listen.slot(),
       "Address and port (default 127.0.0.1:8080; port 0 = any)", "HOST:PORT"},
      {"model", 'm', 0, G_OPTION_ARG_FILENAME, o.model.slot(),
       "Model file (default $FOCUSMETER_MODEL or the installed one)", "FILE"},
      {"token-file", 0, 0, G_OPTION_ARG_FILENAME, o.token_file.slot(),
       "Require 'Authorization: Bearer <token>' with the token in FILE (all but /healthz)", "FILE"},
      {"allow-remote", 0, 0, G_OPTION_ARG_NONE, &o.allow_remote, "Allow a --listen address that is not loopback",
       nullptr},
      {"max-body-bytes", 0, 0, G_OPTION_ARG_INT64, &o.max_body_bytes, "Largest request body (default 20971520)", "N"},
      {"workers", 'j', 0, G_OPTION_ARG_INT, &o.workers, "Analysis threads (default: processors, at most 8)", "N"},
      {"max-queue", 0, 0, G_OPTION_ARG_INT, &o.max_queue, "Jobs waiting for a thread before 503 (default 64)", "N"},
      {"max-pixels", 0, 0, G_OPTION_ARG_INT64, &o.max_pixels,
       "/v1/analyze: refuse (422) images whose header declares more than N pixels (default 40000000)", "N"},
      {"max-connections", 0, 0, G_OPTION_ARG_INT, &o.max_connections,
       "Open client connections at most; more wait (default: from the open-file limit, raised to its maximum)", "N"},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "Log every request on stderr", nullptr},
      {"debug-delay-ms", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &o.debug_delay_ms,
       "Testing aid: each worker job sleeps MS first", "MS"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  fm::cli::set_command_name(kCommand);
  g_autoptr(GOptionContext) ctx = g_option_context_new("- answer focus predictions over a JSON HTTP API");
  const std::string summary = "Endpoints: " + fs::route_list() + " (see docs/serve.md).";
  g_option_context_set_summary(ctx, summary.c_str());
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) return fail(fm::cli::kExitUsage, err->message);
  if (argc > 1) return fail(fm::cli::kExitUsage, std::string("unexpected argument '") + argv[1] + "'");

  fs::ServiceConfig config;
  std::string error;
  if (!fs::parse_listen_address(o.listen.or_else("127.0.0.1:8080"), config.listen, error))
    return fail(fm::cli::kExitUsage, error);
  if (!fs::is_loopback(config.listen.host) && !o.allow_remote)
    return fail(fm::cli::kExitUsage, "refusing to listen on " + config.listen.host +
                                         ", which is not loopback (plain HTTP); add --allow-remote, ideally with "
                                         "--token-file, to serve other hosts");
  if (o.max_body_bytes < 1) return fail(fm::cli::kExitUsage, "--max-body-bytes must be at least 1");
  if (o.workers < 0 || o.workers > 256) return fail(fm::cli::kExitUsage, "--workers must be from 1 to 256");
  if (o.max_queue < 0) return fail(fm::cli::kExitUsage, "--max-queue must be 0 or more");
  if (o.max_connections < 0) return fail(fm::cli::kExitUsage, "--max-connections must be 1 or more");
  config.max_connections = static_cast<unsigned>(o.max_connections);
  // Every connection is a descriptor: take all the kernel allows this
  // process (systemd's default soft limit of 1024 is easily reached).
  struct rlimit files {};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  if (o.max_pixels < 1) return fail(fm::cli::kExitUsage, "--max-pixels must be at least 1");
  fm::media::set_max_image_pixels(static_cast<std::uint64_t>(o.max_pixels));
  if (o.debug_delay_ms < 0) return fail(fm::cli::kExitUsage, "--debug-delay-ms must be 0 or more");
  config.max_body_bytes = static_cast<std::size_t>(o.max_body_bytes);
  config.workers = o.workers ? static_cast<unsigned>(o.workers) : std::clamp(g_get_num_processors(), 1u, 8u);
  config.max_queue = static_cast<unsigned>(o.max_queue);
  config.debug_delay_ms = static_cast<unsigned>(o.debug_delay_ms);
  config.verbose = o.verbose;
  if (o.token_file.given() && !fs::read_token_file(o.token_file.get(), config.token, error))
    return fail(fm::cli::kExitUsage, error);
  if (!fs::is_loopback(config.listen.host) && config.token.empty())
    std::fprintf(stderr,
                 "focusmeter serve: warning: serving %s without --token-file: anyone who can reach it "
                 "can use it\n",
                 config.listen.host.c_str());

  // A model named with --model must load. With none named, a missing
  // default model is not fatal: the service starts, /v1/analyze gives
  // features, and /v1/predict and /v1/model say why they cannot answer.
  fm::cli::ModelChoice choice;
  try {
    choice = fm::cli::load_model_or_default(o.model.get());
  } catch (const fm::ModelError& e) {
    return fail(fm::cli::kExitDataError, e.what());
  }
  const std::shared_ptr<const fm::Model> model = choice.model;
  std::string no_model_reason;
  if (!model) {
    no_model_reason = choice.missing + "; restart with --model FILE";
    std::fprintf(stderr, "focusmeter serve: warning: %s\n", no_model_reason.c_str());
  }

  g_autoptr(GMainLoop) loop = g_main_loop_new(nullptr, FALSE);
  auto service = std::make_unique<fs::HttpService>(config, model, no_model_reason);
  if (!service->start(error)) return fail(fm::cli::kExitSoftware, error);

  Shutdown shutdown;
  shutdown.loop = loop;
  shutdown.service = service.get();
  const guint term_id = g_unix_signal_add(SIGTERM, on_signal, &shutdown);
  const guint int_id = g_unix_signal_add(SIGINT, on_signal, &shutdown);

  // The first line on stdout is the address, so scripts and tests that pass
  // port 0 learn the real one.
  std::printf("focusmeter serve: listening on %s (model: %s, %u workers)\n", service->url().c_str(),
              model ? model->name().c_str() : "none", config.workers);
  std::fflush(stdout);

  g_main_loop_run(loop);

  g_source_remove(term_id);
  g_source_remove(int_id);
  if (shutdown.poll_id) g_source_remove(shutdown.poll_id);
  const auto answered = service->metrics().total_requests();
  service.reset();
  std::fprintf(stderr, "focusmeter serve: stopped after %llu requests\n", static_cast<unsigned long long>(answered));
  return 0;
}
