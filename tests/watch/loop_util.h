// Helpers for tests that drive the GLib main context by hand and need
// loopback ports.
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <functional>

namespace focusmeter::watch::testing {

// Iterates the thread-default main context until `done` is true or
// `timeout_ms` passes; returns done().
inline bool spin_until(const std::function<bool()>& done, int timeout_ms) {
  const gint64 end = g_get_monotonic_time() + static_cast<gint64>(timeout_ms) * 1000;
  while (!done()) {
    if (g_get_monotonic_time() > end) return false;
    if (!g_main_context_iteration(nullptr, FALSE)) g_usleep(2000);
  }
  return true;
}

inline void spin_for(int ms) {
  spin_until([] { return false; }, ms);
}

// A TCP port on 127.0.0.1 that was free a moment ago (bound, read, closed).
inline std::uint16_t free_loopback_port() {
  g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  if (!s || !g_socket_bind(s, any, TRUE, nullptr)) return 0;
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s, nullptr);
  return bound ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)) : 0;
}

}  // namespace focusmeter::watch::testing
