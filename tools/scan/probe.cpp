#include "scan/probe.h"

#include <gio/gio.h>

#include <cstdio>

namespace focusmeter::scan {

namespace {

std::string seconds_text(int ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000.0);
  return buf;
}

}  // namespace

ProbeResult tcp_probe(const std::string& host, int port, int timeout_ms) {
  ProbeResult r;
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string(host.c_str());
  if (!address) {
    // A host name: resolve it (the system resolver has its own bound).
    g_autoptr(GResolver) resolver = g_resolver_get_default();
    g_autoptr(GError) err = nullptr;
    GList* found = g_resolver_lookup_by_name(resolver, host.c_str(), nullptr, &err);
    if (!found) {
      r.reason = "cannot resolve host name " + host;
      return r;
    }
    address = G_INET_ADDRESS(g_object_ref(found->data));
    g_resolver_free_addresses(found);
  }
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new(address, static_cast<guint16>(port));
  g_autoptr(GError) err = nullptr;
  g_autoptr(GSocket) sock =
      g_socket_new(g_inet_address_get_family(address), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &err);
  if (!sock) {
    r.reason = std::string("cannot create socket: ") + err->message;
    return r;
  }
  g_socket_set_blocking(sock, FALSE);
  if (!g_socket_connect(sock, target, nullptr, &err)) {
    if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_PENDING)) {
      r.reason = g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ? "connection refused"
                                                                                 : std::string(err->message);
      return r;
    }
    g_clear_error(&err);
    if (!g_socket_condition_timed_wait(sock, G_IO_OUT, gint64(timeout_ms) * 1000, nullptr, &err)) {
      r.reason = "no answer to TCP connect within " + seconds_text(timeout_ms);
      return r;
    }
    if (!g_socket_check_connect_result(sock, &err)) {
      r.reason = g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ? "connection refused"
                                                                                 : std::string(err->message);
      return r;
    }
  }
  g_socket_close(sock, nullptr);
  r.open = true;
  return r;
}

}  // namespace focusmeter::scan
