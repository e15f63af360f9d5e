#include "serve/http_service.h"

#include <libsoup/soup.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "cli/worker_pool.h"
#include "serve/api.h"
#include "serve/request_checks.h"
#include "serve/routes.h"

namespace focusmeter::serve {

namespace {

// A /v1/predict body this small parses in microseconds: answer it on the
// main loop. Larger batches go to the worker pool like images.
constexpr gsize kInlinePredictBytes = 64 * 1024;

// Per-message count of request body bytes seen so far (chunked bodies have
// no Content-Length to check up front).
constexpr const char* kBodyBytesKey = "focusmeter-body-bytes";

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};

}  // namespace

struct HttpService::Impl {
  ServiceConfig config;
  std::shared_ptr<const Model> model;
  std::string no_model_reason;

  std::unique_ptr<SoupServer, GObjectUnref> server;
  GMainContext* context = nullptr;  // where results come back to (not owned)
  std::unique_ptr<cli::JobQueue> queue;  // the workers; null until start()
  std::uint16_t port = 0;

  Metrics metrics;
  std::unordered_map<SoupServerMessage*, gint64> in_flight;  // message -> start (monotonic us)
  unsigned jobs = 0;                                         // pushed to the pool, answer not yet applied
  std::atomic<unsigned> running{0};                          // jobs a worker is executing
  std::atomic<bool> draining{false};

  // The listening socket and its watch (null while paused: at the
  // connection cap, or waiting out an accept error).
  GSocket* listener = nullptr;
  GSource* accept_source = nullptr;
  guint retry_id = 0;
  unsigned connections = 0;  // accepted and not yet finalized
  bool stopped = false;
  bool warned_accept = false;

  void watch_listener() {
    if (stopped || accept_source || retry_id || !listener) return;
    accept_source = g_socket_create_source(listener, G_IO_IN, nullptr);
    g_source_set_callback(accept_source, G_SOURCE_FUNC(on_incoming_cb), this, nullptr);
    g_source_attach(accept_source, context);
  }

  void unwatch_listener() {
    if (!accept_source) return;
    g_source_destroy(accept_source);
    g_source_unref(accept_source);
    accept_source = nullptr;
  }

  static gboolean on_incoming_cb(GSocket*, GIOCondition, gpointer data) {
    return static_cast<Impl*>(data)->on_incoming();
  }

  gboolean on_incoming() {
    for (int i = 0; i < 64; ++i) {
      if (connections >= config.max_connections) {
        unwatch_listener();  // resumed by on_connection_gone
        return G_SOURCE_REMOVE;
      }
      g_autoptr(GError) err = nullptr;
      GSocket* client = g_socket_accept(listener, nullptr, &err);
      if (!client) {
        if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) return G_SOURCE_CONTINUE;
        // EMFILE and friends: the connection stays in the backlog; try again
        // shortly rather than spin on a readable socket or stop for good.
        if (!warned_accept) std::fprintf(stderr, "focusmeter serve: %s; retrying every 0.1 s\n", err->message);
        warned_accept = true;
        unwatch_listener();
        retry_id = g_timeout_add(
            100,
            +[](gpointer d) {
              auto* self = static_cast<Impl*>(d);
              self->retry_id = 0;
              self->watch_listener();
              return G_SOURCE_REMOVE;
            },
            this);
        return G_SOURCE_REMOVE;
      }
      warned_accept = false;
      adopt(client);
    }
    return G_SOURCE_CONTINUE;
  }

  void adopt(GSocket* client) {
    g_socket_set_timeout(client, config.idle_timeout_s);
    GSocketConnection* conn = g_socket_connection_factory_create_connection(client);
    g_autoptr(GSocketAddress) local = g_socket_get_local_address(client, nullptr);
    g_autoptr(GSocketAddress) remote = g_socket_get_remote_address(client, nullptr);
    g_object_unref(client);
    ++connections;
    g_object_weak_ref(G_OBJECT(conn), on_connection_gone, this);
    g_autoptr(GError) err = nullptr;
    if (!soup_server_accept_iostream(server.get(), G_IO_STREAM(conn), local, remote, &err))
      std::fprintf(stderr, "focusmeter serve: cannot serve a connection: %s\n", err->message);
    g_object_unref(conn);  // the server holds its own reference while it serves it
  }

  static void on_connection_gone(gpointer data, GObject*) {
    auto* self = static_cast<Impl*>(data);
    --self->connections;
    self->watch_listener();
  }

  // A job for the pool: owns a reference on the message and the body.
  struct Job {
    Impl* self = nullptr;
    SoupServerMessage* msg = nullptr;
    GBytes* body = nullptr;
    bool analyze = false;
    ApiResponse response;
    Job(Impl* s, SoupServerMessage* m, GBytes* b, bool a)
        : self(s), msg(SOUP_SERVER_MESSAGE(g_object_ref(m))), body(b), analyze(a) {}
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;
    ~Job() {
      g_object_unref(msg);
      g_bytes_unref(body);
    }
  };

  void respond(SoupServerMessage* msg, const ApiResponse& r) {
    soup_server_message_set_status(msg, r.status, nullptr);
    SoupMessageHeaders* headers = soup_server_message_get_response_headers(msg);
    for (const auto& [name, value] : r.headers) soup_message_headers_replace(headers, name.c_str(), value.c_str());
    if (draining) soup_message_headers_replace(headers, "Connection", "close");
    soup_server_message_set_response(msg, r.content_type.c_str(), SOUP_MEMORY_COPY, r.body.data(), r.body.size());
    metrics.record_tally(r.tally);
  }

  // Answers before (or while) the body arrives; whatever of the body is
  // still to come is read and dropped, not kept.
  void reject(SoupServerMessage* msg, unsigned status, const std::string& message,
              std::map<std::string, std::string> headers = {}) {
    ApiResponse r = error_response(status, message);
    r.headers = std::move(headers);
    respond(msg, r);
    SoupMessageBody* body = soup_server_message_get_request_body(msg);
    soup_message_body_set_accumulate(body, FALSE);
    soup_message_body_truncate(body);
  }

  std::string too_large_message() const {
    return "request body larger than the limit of " + std::to_string(config.max_body_bytes) +
           " bytes (--max-body-bytes)";
  }

  static void on_early(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer data) {
    static_cast<Impl*>(data)->check_headers(msg, path);
  }

  void check_headers(SoupServerMessage* msg, const char* path) {
    // In flight from its headers on: a connection that never sends a
    // request is not work to wait for at shutdown.
    in_flight.emplace(msg, g_get_monotonic_time());
    if (draining) return reject(msg, 503, "the service is shutting down", {{"Connection", "close"}});
    const Route* route = path ? find_route(path) : nullptr;
    if (!route)
      return reject(msg, 404,
                    std::string("no endpoint at ") + (path ? path : "?") + " (endpoints: " + route_paths() + ")");
    const char* method = soup_server_message_get_method(msg);
    if (std::strcmp(method, route->method) != 0)
      return reject(msg, 405, std::string(method) + " is not allowed on " + route->path + "; use " + route->method,
                    {{"Allow", route->method}});
    SoupMessageHeaders* req = soup_server_message_get_request_headers(msg);
    if (!config.token.empty() && !route->open &&
        !bearer_token_matches(soup_message_headers_get_one(req, "Authorization"), config.token))
      return reject(msg, 401, "missing or wrong bearer token (send the header 'Authorization: Bearer <token>')",
                    {{"WWW-Authenticate", "Bearer realm=\"focusmeter\""}});
    if (soup_message_headers_get_encoding(req) == SOUP_ENCODING_CONTENT_LENGTH &&
        static_cast<std::uint64_t>(soup_message_headers_get_content_length(req)) > config.max_body_bytes)
      return reject(msg, 413, too_large_message(), {{"Connection", "close"}});
    if (route->endpoint == Endpoint::Analyze &&
        !is_image_content_type(soup_message_headers_get_content_type(req, nullptr)))
      return reject(msg, 415, "/v1/analyze takes an image body with Content-Type image/* (e.g. image/jpeg, image/png)");
    g_signal_connect(msg, "got-chunk", G_CALLBACK(on_got_chunk), this);
  }

  static void on_got_chunk(SoupServerMessage* msg, GBytes* chunk, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    if (soup_server_message_get_status(msg) != 0) return;  // already refused
    const gsize seen = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(msg), kBodyBytesKey)) + g_bytes_get_size(chunk);
    g_object_set_data(G_OBJECT(msg), kBodyBytesKey, GSIZE_TO_POINTER(seen));
    if (seen > self->config.max_body_bytes)
      self->reject(msg, 413, self->too_large_message(), {{"Connection", "close"}});
  }

  static void on_request(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer data) {
    static_cast<Impl*>(data)->handle(msg, path);
  }

  // Only routed requests get here: check_headers answered the others.
  void handle(SoupServerMessage* msg, const char* path) {
    const Route* route = path ? find_route(path) : nullptr;
    if (!route) return respond(msg, error_response(404, std::string("no endpoint at ") + (path ? path : "?")));
    switch (route->endpoint) {
      case Endpoint::Health:
        return respond(msg, json_response(200, {{"status", "ok"},
                                                {"model", model ? nlohmann::json(model->name()) : nullptr},
                                                {"workers", config.workers}}));
      case Endpoint::Metrics: {
        const unsigned run = running.load();
        metrics.set_queue(jobs > run ? jobs - run : 0, run);
        ApiResponse r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics.render();
        return respond(msg, r);
      }
      case Endpoint::Model:
        if (!model) return respond(msg, error_response(503, no_model_reason));
        return respond(msg, json_response(200, model_info(*model)));
      case Endpoint::Predict:
      case Endpoint::Analyze:
        return analyse(msg, route->endpoint == Endpoint::Analyze);
    }
  }

  // /v1/predict (small bodies inline, large ones on the pool) and /v1/analyze.
  void analyse(SoupServerMessage* msg, bool is_analyze) {
    if (!is_analyze && !model) return respond(msg, error_response(503, no_model_reason));

    GBytes* body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
    if (!is_analyze && g_bytes_get_size(body) <= kInlinePredictBytes) {
      gsize size = 0;
      const auto* data = static_cast<const char*>(g_bytes_get_data(body, &size));
      g_autoptr(GBytes) owned = body;
      ApiResponse r;
      try {
        r = predict(*model, std::string_view(data ? data : "", size));
      } catch (const std::exception& e) {  // bad_alloc; nothing else is expected
        r = error_response(500, std::string("internal error: ") + e.what());
      }
      return respond(msg, r);
    }
    if (jobs >= config.workers + config.max_queue) {
      g_bytes_unref(body);
      return respond(msg, [&] {
        ApiResponse r = error_response(503, "busy: " + std::to_string(jobs) + " jobs in progress or queued; retry");
        r.headers["Retry-After"] = "1";
        return r;
      }());
    }
    auto job = std::make_unique<Job>(this, msg, body, is_analyze);  // takes over `body`
    soup_server_message_pause(msg);
    ++jobs;
    // The queue's threads exist since start(): pushing only queues.
    Job* queued = job.release();  // ownership: run_job hands it to job_done
    queue->push([queued] { run_job(queued); });
  }

  // Worker thread: never touches libsoup or the metrics.
  static void run_job(Job* job) {
    Impl* self = job->self;
    if (self->draining) {  // queued when shutdown began: answered, not run
      job->response = error_response(503, "the service is shutting down; this request was not run");
      job->response.headers["Connection"] = "close";
    } else {
      self->execute(*job);
    }
    GSource* done = g_idle_source_new();
    g_source_set_callback(done, job_done, job, nullptr);
    g_source_attach(done, self->context);
    g_source_unref(done);
  }

  void execute(Job& j) {
    Job* job = &j;
    Impl* self = this;
    ++self->running;
    if (self->config.debug_delay_ms) g_usleep(static_cast<gulong>(self->config.debug_delay_ms) * 1000);
    try {
      gsize size = 0;
      const void* bytes = g_bytes_get_data(job->body, &size);
      if (job->analyze)
        job->response = analyze(self->model.get(), bytes, size);
      else
        job->response = predict(*self->model, std::string_view(static_cast<const char*>(bytes), size));
    } catch (const std::exception& e) {
      job->response = error_response(500, std::string("internal error: ") + e.what());
    }
    --self->running;
  }

  // Main loop: applies a worker's answer and lets libsoup send it.
  static gboolean job_done(gpointer data) {
    std::unique_ptr<Job> job(static_cast<Job*>(data));
    Impl* self = job->self;
    --self->jobs;
    self->respond(job->msg, job->response);
    soup_server_message_unpause(job->msg);
    return G_SOURCE_REMOVE;
  }

  static void on_finished(SoupServer*, SoupServerMessage* msg, gpointer data) {
    static_cast<Impl*>(data)->finish(msg, false);
  }

  static void on_aborted(SoupServer*, SoupServerMessage* msg, gpointer data) {
    static_cast<Impl*>(data)->finish(msg, true);
  }

  void finish(SoupServerMessage* msg, bool aborted) {
    const auto it = in_flight.find(msg);
    if (it == in_flight.end()) return;
    const double seconds = (g_get_monotonic_time() - it->second) / 1e6;
    in_flight.erase(it);
    GUri* uri = soup_server_message_get_uri(msg);
    const std::string path = uri ? g_uri_get_path(uri) : "";
    const unsigned status = soup_server_message_get_status(msg);
    if (!aborted) metrics.record_request(path, status, seconds);
    if (config.verbose || status >= 500 || aborted) {
      const char* method = soup_server_message_get_method(msg);
      std::fprintf(stderr, "focusmeter serve: %s %s %s %.1f ms\n", method ? method : "?",
                   Metrics::path_label(path).c_str(),
                   aborted ? "aborted by the client" : std::to_string(status).c_str(), seconds * 1e3);
    }
  }
};

HttpService::HttpService(ServiceConfig config, std::shared_ptr<const Model> model, std::string no_model_reason)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  if (impl_->config.workers == 0) impl_->config.workers = 1;
  impl_->model = std::move(model);
  impl_->no_model_reason = std::move(no_model_reason);
}

HttpService::~HttpService() {
  if (impl_->queue) {
    // Let running jobs end, then apply their answers so no idle callback
    // outlives *impl_.
    impl_->queue.reset();
    while (impl_->jobs > 0) g_main_context_iteration(impl_->context, TRUE);
  }
  stop();
  impl_->server.reset();  // its connections go now, while *impl_ is whole for their weak refs
}

bool HttpService::start(std::string& error) {
  Impl& s = *impl_;
  s.context = g_main_context_get_thread_default();
  if (!s.context) s.context = g_main_context_default();

  try {
    s.queue = std::make_unique<cli::JobQueue>(s.config.workers);
  } catch (const std::runtime_error& e) {
    error = e.what();
    return false;
  }

  s.server.reset(SOUP_SERVER(g_object_new(SOUP_TYPE_SERVER, "server-header", "focusmeter-serve", nullptr)));
  SoupServer* server = s.server.get();
  soup_server_add_early_handler(server, nullptr, Impl::on_early, &s, nullptr);
  soup_server_add_handler(server, nullptr, Impl::on_request, &s, nullptr);
  g_signal_connect(server, "request-finished", G_CALLBACK(Impl::on_finished), &s);
  g_signal_connect(server, "request-aborted", G_CALLBACK(Impl::on_aborted), &s);

  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(s.config.listen.host.c_str());
  if (!inet) {
    error = "'" + s.config.listen.host + "' is not an IP address";
    return false;
  }
  g_autoptr(GError) err = nullptr;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new(inet, s.config.listen.port);
  s.listener = g_socket_new(g_inet_address_get_family(inet), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &err);
  // A backlog deep enough to hold a burst while accepting is paused (GLib's default is 10).
  if (s.listener) g_socket_set_listen_backlog(s.listener, 128);
  if (!s.listener || !g_socket_bind(s.listener, address, TRUE, &err) || !g_socket_listen(s.listener, &err)) {
    error = "cannot listen on " + base_url(s.config.listen.host, s.config.listen.port) + ": " + err->message;
    return false;
  }
  g_socket_set_blocking(s.listener, FALSE);
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s.listener, nullptr);
  if (bound) s.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  if (s.config.max_connections == 0) {
    // Leave room for the process's own files (model, pipes, threads' event
    // fds, GStreamer): a quarter of the limit, at least 16.
    struct rlimit lim {};
    const rlim_t soft = getrlimit(RLIMIT_NOFILE, &lim) == 0 ? lim.rlim_cur : 1024;
    const rlim_t capped = std::min<rlim_t>(soft, 1u << 20);
    const rlim_t reserve = std::max<rlim_t>(16, capped / 4);
    s.config.max_connections = static_cast<unsigned>(capped > reserve + 1 ? capped - reserve : 1);
  }
  s.watch_listener();
  return true;
}

std::uint16_t HttpService::port() const { return impl_->port; }
std::string HttpService::url() const { return base_url(impl_->config.listen.host, impl_->port); }
void HttpService::begin_drain() { impl_->draining = true; }
unsigned HttpService::max_connections() const { return impl_->config.max_connections; }
unsigned HttpService::busy() const { return static_cast<unsigned>(impl_->in_flight.size()) + impl_->jobs; }
const Metrics& HttpService::metrics() const { return impl_->metrics; }

void HttpService::stop() {
  Impl& s = *impl_;
  s.stopped = true;
  s.unwatch_listener();
  if (s.retry_id) g_source_remove(s.retry_id);
  s.retry_id = 0;
  if (s.listener) {
    g_socket_close(s.listener, nullptr);
    g_object_unref(s.listener);
    s.listener = nullptr;
  }
  if (s.server) soup_server_disconnect(s.server.get());
}

}  // namespace focusmeter::serve
