// `watch --metrics-listen HOST:PORT`: GET /metrics answers the cameras'
// gauges (camera_metrics.h) in the Prometheus text format; anything else is
// 404, any other method 405. A libsoup 3 server on the GLib main context
// that is thread-default where it is created (the watch's main loop).
// Loopback unless the caller allows otherwise (serve's listen_address rules).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "serve/listen_address.h"

namespace focusmeter::watch {

class MetricsEndpoint {
 public:
  using Render = std::function<std::string()>;  // called on the main loop's thread
  // Null with a one-line `error` when it cannot listen.
  static std::unique_ptr<MetricsEndpoint> start(const serve::ListenAddress& where, Render render, std::string& error);
  ~MetricsEndpoint();
  std::uint16_t port() const;  // the bound port (where.port 0: the kernel's choice)

  struct Impl;

 private:
  explicit MetricsEndpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace focusmeter::watch
