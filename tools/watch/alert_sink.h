// What every alert sink (webhook, MQTT, command hook) promises, and the
// retry policy they share.
//
// - submit() queues the event and returns at once; it never throws and
//   never blocks on the network or on a child process.
// - A failed delivery is logged (one line through AlertLog, never a
//   password or token) and retried after a back-off that doubles from
//   `initial_delay_ms` up to `max_delay_ms`, for at most `max_attempts`
//   attempts; then it is logged as dropped. A sink never stops the watch.
// - The webhook and command-hook sinks run on the GLib main context that is
//   thread-default where they were created: that context must be iterated
//   (the watch's main loop) for deliveries and retries to happen. The MQTT
//   sink runs its own network thread.
// - Destroying a sink abandons deliveries still pending (the watch drains
//   them first on a graceful stop: wait while pending() > 0).
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>

#include "watch/alert_event.h"

namespace focusmeter::watch {

// Receives one line per delivery problem; the default writes
// "focusmeter watch: <line>" to stderr. The MQTT sink calls it from its
// network thread: a custom log must be thread-safe.
using AlertLog = std::function<void(const std::string& line)>;
AlertLog default_alert_log();

struct RetryPolicy {
  unsigned max_attempts = 8;  // including the first; >= 1
  unsigned initial_delay_ms = 1000;
  unsigned max_delay_ms = 5 * 60 * 1000;

  // The wait before attempt `attempt` + 1, after `attempt` (>= 1) failures.
  unsigned delay_ms(unsigned attempt) const {
    unsigned long long d = initial_delay_ms;
    for (unsigned i = 1; i < attempt && d < max_delay_ms; ++i) d *= 2;
    return static_cast<unsigned>(std::min<unsigned long long>(d, max_delay_ms));
  }
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual void submit(const AlertEvent& event) = 0;
  // Events accepted and neither delivered nor dropped yet.
  virtual std::size_t pending() const = 0;
  virtual const char* name() const = 0;  // "webhook", "mqtt", "command"
};

}  // namespace focusmeter::watch
