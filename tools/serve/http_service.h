// The HTTP face of `focusmeter serve`: a libsoup 3 SoupServer on the calling
// thread's GLib main context, routing to the pure endpoints in api.h.
//
// What happens before a body is read (early handler, on got-headers):
// unknown path 404, wrong method 405 + Allow, missing/wrong bearer token 401,
// Content-Length over the limit 413, /v1/analyze without an image/* type
// 415, draining for shutdown 503. A rejected request's body is discarded as
// it arrives, never buffered; a chunked body is counted as it arrives and
// refused with 413 (and dropped) once it passes the limit.
//
// The listening socket is the service's own (not soup_server_listen's):
// accepted connections are handed to soup_server_accept_iostream. At
// max_connections it stops accepting until one closes, and when accept()
// fails (EMFILE: out of descriptors) it retries after a pause instead of
// going deaf, as libsoup's own listener does after its first error.
// Connections idle for idle_timeout_s are closed.
//
// Image analysis and large prediction batches run on the tools' worker pool
// (cli::JobQueue, a bounded GThreadPool);
// their message is paused (soup_server_message_pause) meanwhile, so the main
// loop keeps answering other requests. A full queue answers 503 +
// Retry-After rather than letting work pile up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "focusmeter/model.h"
#include "serve/listen_address.h"
#include "serve/metrics.h"

namespace focusmeter::serve {

struct ServiceConfig {
  ListenAddress listen;
  std::size_t max_body_bytes = 20u * 1024u * 1024u;
  std::string token;            // empty: no authentication
  unsigned workers = 2;         // analysis threads
  unsigned max_queue = 64;      // jobs waiting for a worker before 503
  unsigned debug_delay_ms = 0;  // testing aid: each worker job sleeps first
  bool verbose = false;         // one log line per request on stderr
  // Open client connections at most; more wait in the kernel's backlog.
  // 0: from RLIMIT_NOFILE, leaving room for the process's other files.
  unsigned max_connections = 0;
  unsigned idle_timeout_s = 30;  // a connection silent this long is closed
};

class HttpService {
 public:
  // `model` may be null: then /v1/predict and /v1/model answer 503 with
  // `no_model_reason`, and /v1/analyze gives features without a verdict.
  HttpService(ServiceConfig config, std::shared_ptr<const Model> model, std::string no_model_reason);
  ~HttpService();
  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;

  // Binds and starts listening; false with a one-line `error`.
  bool start(std::string& error);
  // The bound port (the real one when the config asked for port 0).
  std::uint16_t port() const;
  std::string url() const;

  // Graceful shutdown, step 1: from now on every new request gets 503 and
  // "Connection: close"; requests already accepted run to completion.
  void begin_drain();
  // Requests in flight (headers seen, response not yet sent) plus pool jobs;
  // an open connection that has sent no request is not in flight. Jobs
  // still queued when draining starts are answered 503 without running.
  unsigned busy() const;
  unsigned max_connections() const;
  // Step 2: close the listening sockets and every connection.
  void stop();

  const Metrics& metrics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace focusmeter::serve
