// Alerts over MQTT (libmosquitto, QoS 1): for each event, the camera's
// state to PREFIX/<camera>/state, retained (so a dashboard that subscribes
// later still sees every camera's current state), and the event itself to
// PREFIX/events, not retained. Bodies and <camera> per alert_event.h.
//
// The connection runs on a network thread of the sink's own, which
// reconnects with an exponential back-off (RetryPolicy's delays; one log
// line per outage, one when connected again). Messages submitted while the broker is away wait in a
// bounded queue (oldest dropped first, logged) and go out, in order, on
// reconnection. Delivery is at least once: QoS 1 may repeat a message
// after a reconnect, never lose one the broker acknowledged.
// RetryPolicy::max_attempts does not apply (the broker is waited for).
// Destroying the sink waits for a connection attempt in progress (instant
// on loopback; up to the TCP connect timeout for a silent remote host).
#pragma once

#include <memory>
#include <string>

#include "watch/alert_sink.h"

namespace focusmeter::watch {

struct MqttConfig {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string prefix = "focusmeter";  // topic prefix, no trailing '/'
  std::string client_id;              // "" : focusmeter-watch-<pid>
  std::string username;               // "" : anonymous
  std::string password_file;          // read once at create()
  int keepalive_s = 30;
  std::size_t max_queue = 1000;  // messages waiting for the broker
  RetryPolicy retry{0, 1000, 60 * 1000};
};

class MqttSink : public AlertSink {
 public:
  // Null with a one-line `error` for a bad prefix (empty, or holding '+',
  // '#'), an unreadable password file, or a libmosquitto failure. An
  // unreachable broker is not an error: it is retried.
  static std::unique_ptr<MqttSink> create(const MqttConfig& config, AlertLog log, std::string& error);
  ~MqttSink() override;

  void submit(const AlertEvent& event) override;
  // Messages queued or published but not yet acknowledged by the broker.
  std::size_t pending() const override;
  const char* name() const override { return "mqtt"; }
  bool connected() const;

  struct Impl;

 private:
  explicit MqttSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace focusmeter::watch
