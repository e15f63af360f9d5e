// The TCP connect probe that runs before any RTSP: a dead address costs at
// most its timeout, a refused port almost nothing.
#pragma once

#include <string>

namespace focusmeter::scan {

struct ProbeResult {
  bool open = false;
  std::string reason;  // when !open: "connection refused", "no answer within 1.0 s", ...
};

// Resolves `host` (address literal or name) and connects to host:port,
// giving up after `timeout_ms`. Closes the connection at once.
ProbeResult tcp_probe(const std::string& host, int port, int timeout_ms);

}  // namespace focusmeter::scan
