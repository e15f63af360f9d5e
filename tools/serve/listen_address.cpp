#include "serve/listen_address.h"

#include <gio/gio.h>

#include <cstdlib>

namespace focusmeter::serve {

bool parse_listen_address(const std::string& text, ListenAddress& out, std::string& error) {
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = "--listen '" + text + "': expected [IPv6]:PORT";
      return false;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      error = "--listen '" + text + "': expected HOST:PORT, e.g. 127.0.0.1:8080";
      return false;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      error = "--listen '" + text + "': write an IPv6 address in brackets, e.g. [::1]:8080";
      return false;
    }
  }
  if (host.empty() || host == "localhost") host = "127.0.0.1";

  char* end = nullptr;
  const long p = port.empty() ? -1 : std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) {
    error = "--listen '" + text + "': port must be a number from 0 to 65535";
    return false;
  }
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(host.c_str());
  if (!addr) {
    error =
        "--listen '" + text + "': '" + host + "' is not an IP address (names other than localhost are not looked up)";
    return false;
  }
  out.host = host;
  out.port = static_cast<std::uint16_t>(p);
  return true;
}

bool is_loopback(const std::string& host) {
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(host.c_str());
  if (!addr) return false;
  if (g_inet_address_get_is_loopback(addr)) return true;
  // ::ffff:127.0.0.1 reaches the IPv4 loopback too.
  if (g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6) {
    const guint8* b = g_inet_address_to_bytes(addr);
    bool mapped = true;
    for (int i = 0; i < 10; ++i) mapped = mapped && b[i] == 0;
    return mapped && b[10] == 0xff && b[11] == 0xff && b[12] == 127;
  }
  return false;
}

std::string base_url(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace focusmeter::serve
