// The command line of `focusmeter watch` (and of `watch reference set
// --now`, which checks a camera the same way): scan's target, credential
// and stream options, the watch's own (schedule, state, debounce, reference,
// alerts, metrics, shard), parsed into ready-to-use settings. Every bad
// value is a usage error with a one-line reason.
#pragma once

#include <glib.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/model_loading.h"
#include "scan/shard.h"
#include "scan/targets.h"
#include "serve/listen_address.h"
#include "watch/mqtt_sink.h"
#include "watch/watch_check.h"
#include "watch/watch_loop.h"
#include "watch/webhook_sink.h"

namespace focusmeter::watch {

struct WatchOptions {
  std::vector<scan::TargetSpec> specs;  // WatchCamera::target points into these
  std::vector<WatchCamera> cameras;     // after --shard
  std::size_t cameras_listed = 0;       // before --shard
  CheckSettings check;
  LoopSettings loop;
  cli::ModelChoice model;
  std::string state_path;
  int confirm = 3;
  std::optional<WebhookConfig> webhook;
  std::optional<MqttConfig> mqtt;
  std::string on_alert;
  std::optional<serve::ListenAddress> metrics_listen;
  scan::Shard shard;
  bool quiet = false;
};

// The default state file: $XDG_STATE_HOME/focusmeter/watch.db, else
// ~/.local/state/focusmeter/watch.db.
std::string default_state_path();

// Parses argv (argv[0] the command's name, e.g. "watch"). Returns -1 when
// the watch should run, else the exit status to return at once (64 after a
// usage error already printed, 0 after --help). `summary` is GOption's
// one-line description. `need_targets`: whether no camera is an error.
// `extra`: more entries (null-terminated, may be null) for a subcommand.
int parse_watch_options(int& argc, char**& argv, const char* command, const char* parameter_string, bool need_targets,
                        const GOptionEntry* extra, WatchOptions& out);

}  // namespace focusmeter::watch
