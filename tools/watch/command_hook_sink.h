// Alerts to a command (--on-alert CMD): for each event, CMD runs with the
// event JSON (alert_event.h) on its stdin, through GSubprocess (no shell
// unless CMD invokes one; CMD is split like a shell would, quotes allowed).
// Its stdout is discarded, its stderr is inherited (so an operator sees what
// the hook says). Exit status 0 is delivered; a non-zero status, a signal,
// a spawn failure or running past `timeout_ms` (the hook is killed) is a
// failure, retried per the RetryPolicy (alert_sink.h). Events are handled
// one at a time per sink, in order, so a slow hook never piles up
// processes.
#pragma once

#include <memory>
#include <string>

#include "watch/alert_sink.h"

namespace focusmeter::watch {

struct CommandHookConfig {
  std::string command;          // e.g. "/usr/local/bin/page-oncall --team video"
  unsigned timeout_ms = 30000;  // per attempt
  RetryPolicy retry{3, 1000, 60 * 1000};
};

class CommandHookSink : public AlertSink {
 public:
  // Null with a one-line `error` when the command is empty or cannot be
  // split (unbalanced quotes). A missing program is a delivery failure
  // (logged, retried), found at the first event.
  static std::unique_ptr<CommandHookSink> create(const CommandHookConfig& config, AlertLog log, std::string& error);
  ~CommandHookSink() override;

  void submit(const AlertEvent& event) override;
  std::size_t pending() const override;
  const char* name() const override { return "command"; }

  struct Impl;

 private:
  explicit CommandHookSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace focusmeter::watch
