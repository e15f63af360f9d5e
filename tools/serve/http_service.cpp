#include "serve/http_service.h"

#include <libsoup/soup.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <unordered_map>

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
  GThreadPool* pool = nullptr;
  std::uint16_t port = 0;

  Metrics metrics;
  std::unordered_map<SoupServerMessage*, gint64> in_flight;  // message -> start (monotonic us)
  unsigned jobs = 0;                                         // pushed to the pool, answer not yet applied
  std::atomic<unsigned> running{0};                          // jobs a worker is executing
  bool draining = false;

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
    // The pool's threads exist since start() (exclusive pool): pushing only queues.
    g_thread_pool_push(pool, job.release(), nullptr);
  }

  // Worker thread: never touches libsoup or the metrics.
  static void run_job(gpointer data, gpointer) {
    auto* job = static_cast<Job*>(data);
    Impl* self = job->self;
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
    GSource* done = g_idle_source_new();
    g_source_set_callback(done, job_done, job, nullptr);
    g_source_attach(done, self->context);
    g_source_unref(done);
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

  static void on_started(SoupServer*, SoupServerMessage* msg, gpointer data) {
    static_cast<Impl*>(data)->in_flight[msg] = g_get_monotonic_time();
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
  if (impl_->pool) {
    // Let running jobs end, then apply their answers so no idle callback
    // outlives *impl_.
    g_thread_pool_free(impl_->pool, FALSE, TRUE);
    while (impl_->jobs > 0) g_main_context_iteration(impl_->context, TRUE);
  }
  stop();
}

bool HttpService::start(std::string& error) {
  Impl& s = *impl_;
  s.context = g_main_context_get_thread_default();
  if (!s.context) s.context = g_main_context_default();

  g_autoptr(GError) err = nullptr;
  s.pool = g_thread_pool_new(Impl::run_job, &s, static_cast<gint>(s.config.workers), TRUE, &err);
  if (!s.pool) {
    error = std::string("cannot start the worker threads: ") + err->message;
    return false;
  }

  s.server.reset(SOUP_SERVER(g_object_new(SOUP_TYPE_SERVER, "server-header", "focusmeter-serve", nullptr)));
  SoupServer* server = s.server.get();
  soup_server_add_early_handler(server, nullptr, Impl::on_early, &s, nullptr);
  soup_server_add_handler(server, nullptr, Impl::on_request, &s, nullptr);
  g_signal_connect(server, "request-started", G_CALLBACK(Impl::on_started), &s);
  g_signal_connect(server, "request-finished", G_CALLBACK(Impl::on_finished), &s);
  g_signal_connect(server, "request-aborted", G_CALLBACK(Impl::on_aborted), &s);

  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(s.config.listen.host.c_str());
  if (!inet) {
    error = "'" + s.config.listen.host + "' is not an IP address";
    return false;
  }
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new(inet, s.config.listen.port);
  if (!soup_server_listen(server, address, static_cast<SoupServerListenOptions>(0), &err)) {
    error = "cannot listen on " + base_url(s.config.listen.host, s.config.listen.port) + ": " + err->message;
    return false;
  }
  GSList* uris = soup_server_get_uris(server);
  if (uris) s.port = static_cast<std::uint16_t>(g_uri_get_port(static_cast<GUri*>(uris->data)));
  g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
  return true;
}

std::uint16_t HttpService::port() const { return impl_->port; }
std::string HttpService::url() const { return base_url(impl_->config.listen.host, impl_->port); }
void HttpService::begin_drain() { impl_->draining = true; }
unsigned HttpService::busy() const { return static_cast<unsigned>(impl_->in_flight.size()) + impl_->jobs; }
const Metrics& HttpService::metrics() const { return impl_->metrics; }

void HttpService::stop() {
  if (impl_->server) soup_server_disconnect(impl_->server.get());
}

}  // namespace focusmeter::serve
