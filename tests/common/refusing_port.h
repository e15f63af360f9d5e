// A loopback TCP port that refuses connections for the life of the object:
// bound (so no other test or server can take it) but never listening.
// Freeing a port and hoping it stays free races with parallel tests.
#pragma once

#include <gio/gio.h>

namespace focusmeter_test {

class RefusingPort {
 public:
  RefusingPort() {
    socket_ = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
    g_autoptr(GInetAddress) lo = g_inet_address_new_from_string("127.0.0.1");
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    if (!socket_ || !g_socket_bind(socket_, any, FALSE, nullptr)) return;
    g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket_, nullptr);
    if (bound) port_ = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort() {
    if (socket_) g_object_unref(socket_);
  }
  int port() const { return port_; }  // 0 when binding failed

 private:
  GSocket* socket_ = nullptr;
  int port_ = 0;
};

}  // namespace focusmeter_test
