// A webhook receiver for the alert tests: an HTTP server on 127.0.0.1 (port
// chosen by the kernel) that records every POST to /hook. WebhookReceiver
// runs on the thread-default main context (the test iterates it);
// ThreadedWebhookReceiver runs one on its own thread and context, for tests
// that wait on a child process instead.
#pragma once

#include <libsoup/soup.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace focusmeter::watch::testing {

// An HTTP receiver on 127.0.0.1 (port chosen by the kernel) that records
// every POST to /hook and answers `fail_first` of them with 500.
class WebhookReceiver {
 public:
  struct Request {
    std::string method;
    std::string body;
    std::string authorization;
  };

  WebhookReceiver() {
    server_ = soup_server_new(nullptr, nullptr);
    soup_server_add_handler(server_, "/hook", handle, this, nullptr);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
    g_autoptr(GError) err = nullptr;
    if (!soup_server_listen(server_, addr, static_cast<SoupServerListenOptions>(0), &err))
      throw std::runtime_error(err->message);
    GSList* uris = soup_server_get_uris(server_);
    port_ = g_uri_get_port(static_cast<GUri*>(uris->data));
    g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
  }
  ~WebhookReceiver() {
    soup_server_disconnect(server_);
    g_object_unref(server_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int fail_first = 0;
  unsigned fail_status = 500;
  std::vector<Request> requests;  // guarded by `mutex` when another thread reads them
  mutable std::mutex mutex;
  std::size_t delivered = 0;

 private:
  static void handle(SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer self) {
    auto* r = static_cast<WebhookReceiver*>(self);
    Request req;
    req.method = soup_server_message_get_method(msg);
    SoupMessageBody* body = soup_server_message_get_request_body(msg);
    g_autoptr(GBytes) bytes = soup_message_body_flatten(body);
    gsize n = 0;
    const auto* data = static_cast<const char*>(g_bytes_get_data(bytes, &n));
    req.body.assign(data ? data : "", n);
    const char* auth = soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "Authorization");
    req.authorization = auth ? auth : "";
    {
      std::lock_guard<std::mutex> lock(r->mutex);
      r->requests.push_back(req);
    }
    if (static_cast<int>(r->requests.size()) <= r->fail_first) {
      soup_server_message_set_status(msg, r->fail_status, nullptr);
    } else {
      ++r->delivered;
      soup_server_message_set_status(msg, 200, nullptr);
    }
    soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
  }
  SoupServer* server_ = nullptr;
  guint port_ = 0;
};

class ThreadedWebhookReceiver {
 public:
  ThreadedWebhookReceiver() {
    std::mutex m;
    std::unique_lock<std::mutex> lock(m);
    std::condition_variable ready;
    thread_ = std::thread([&] {
      GMainContext* ctx = g_main_context_new();
      g_main_context_push_thread_default(ctx);
      {
        std::lock_guard<std::mutex> guard(m);
        receiver_ = std::make_unique<WebhookReceiver>();
        loop_ = g_main_loop_new(ctx, FALSE);
      }
      ready.notify_one();
      g_main_loop_run(loop_);
      receiver_.reset();
      g_main_context_pop_thread_default(ctx);
      g_main_context_unref(ctx);
    });
    ready.wait(lock, [&] { return loop_ != nullptr; });
  }
  ~ThreadedWebhookReceiver() {
    g_main_loop_quit(loop_);
    thread_.join();
    g_main_loop_unref(loop_);
  }
  std::string url() const { return receiver_->url(); }
  std::vector<WebhookReceiver::Request> requests() const {
    std::lock_guard<std::mutex> lock(receiver_->mutex);
    return receiver_->requests;
  }

 private:
  std::unique_ptr<WebhookReceiver> receiver_;
  GMainLoop* loop_ = nullptr;
  std::thread thread_;
};

}  // namespace focusmeter::watch::testing
