#include "watch/metrics_endpoint.h"

#include <libsoup/soup.h>

#include "watch/glib_ptr.h"

namespace focusmeter::watch {

struct MetricsEndpoint::Impl {
  Render render;
  GObjectPtr<SoupServer> server;
  std::uint16_t port = 0;

  static void on_request(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    if (g_strcmp0(path, "/metrics") != 0) {
      soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, nullptr);
      return;
    }
    const char* method = soup_server_message_get_method(msg);
    if (g_strcmp0(method, "GET") != 0 && g_strcmp0(method, "HEAD") != 0) {
      soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow", "GET, HEAD");
      soup_server_message_set_status(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, nullptr);
      return;
    }
    const std::string body = self->render();
    soup_server_message_set_status(msg, SOUP_STATUS_OK, nullptr);
    soup_server_message_set_response(msg, "text/plain; version=0.0.4; charset=utf-8", SOUP_MEMORY_COPY, body.data(),
                                     body.size());
  }
};

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsEndpoint::~MetricsEndpoint() {
  if (impl_ && impl_->server) soup_server_disconnect(impl_->server.get());
}
std::uint16_t MetricsEndpoint::port() const { return impl_->port; }

std::unique_ptr<MetricsEndpoint> MetricsEndpoint::start(const serve::ListenAddress& where, Render render,
                                                        std::string& error) {
  auto impl = std::make_unique<Impl>();
  impl->render = std::move(render);
  impl->server.reset(soup_server_new("server-header", "focusmeter-watch ", nullptr));
  soup_server_add_handler(impl->server.get(), nullptr, Impl::on_request, impl.get(), nullptr);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(where.host.c_str());
  if (!inet) {
    error = "--metrics-listen: not an IP address: " + where.host;
    return nullptr;
  }
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(inet, where.port);
  g_autoptr(GError) err = nullptr;
  if (!soup_server_listen(impl->server.get(), sa, static_cast<SoupServerListenOptions>(0), &err)) {
    error = std::string("--metrics-listen: ") + err->message;
    return nullptr;
  }
  GSList* uris = soup_server_get_uris(impl->server.get());
  if (uris) impl->port = static_cast<std::uint16_t>(g_uri_get_port(static_cast<GUri*>(uris->data)));
  g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(impl)));
}

}  // namespace focusmeter::watch
