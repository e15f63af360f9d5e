#include "scan/discovery.h"

#include <gio/gio.h>

#include <algorithm>

#include "nlohmann/json.hpp"
#include "scan/onvif_soap.h"

namespace focusmeter::scan {

namespace {

// "http://10.0.0.7:8080/onvif/device_service" -> host and port.
bool split_xaddr(const std::string& xaddr, std::string& host, int& port) {
  g_autoptr(GUri) uri = g_uri_parse(xaddr.c_str(), G_URI_FLAGS_NONE, nullptr);
  if (!uri || !g_uri_get_host(uri) || g_strcmp0(g_uri_get_scheme(uri), "http") != 0) return false;
  host = g_uri_get_host(uri);
  port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : 80;
  return true;
}

}  // namespace

bool ws_discover(const std::string& address, int port, double wait_seconds, std::vector<DiscoveredDevice>& devices,
                 std::string& error) {
  g_autoptr(GError) err = nullptr;
  g_autoptr(GInetAddress) target = g_inet_address_new_from_string(address.c_str());
  if (!target || g_inet_address_get_family(target) != G_SOCKET_FAMILY_IPV4) {
    error = "'" + address + "' is not an IPv4 address";
    return false;
  }
  g_autoptr(GSocket) socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &err);
  if (!socket) {
    error = err->message;
    return false;
  }
  // Bind on the side that reaches the target: loopback for a loopback
  // responder, any address otherwise (the answers come back unicast).
  g_autoptr(GInetAddress) local = g_inet_address_get_is_loopback(target)
                                      ? g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4)
                                      : g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) local_sa = g_inet_socket_address_new(local, 0);
  if (!g_socket_bind(socket, local_sa, FALSE, &err)) {
    error = err->message;
    return false;
  }
  if (g_inet_address_get_is_multicast(target)) {
    g_socket_set_multicast_ttl(socket, 1);  // never past the first router
    g_socket_set_multicast_loopback(socket, TRUE);
  }
  g_autofree gchar* uuid = g_uuid_string_random();
  const std::string probe = onvif::probe_message(std::string("urn:uuid:") + uuid);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new(target, static_cast<guint16>(port));

  const gint64 end = g_get_monotonic_time() + static_cast<gint64>(wait_seconds * 1e6);
  const gint64 resend_at = g_get_monotonic_time() + std::min<gint64>(300000, (end - g_get_monotonic_time()) / 3);
  bool resent = false;
  if (g_socket_send_to(socket, to, probe.data(), probe.size(), nullptr, &err) < 0) {
    error = std::string("cannot send the Probe: ") + err->message;
    return false;
  }
  char buf[65536];
  for (gint64 now = g_get_monotonic_time(); now < end; now = g_get_monotonic_time()) {
    if (!resent && now >= resend_at) {
      g_socket_send_to(socket, to, probe.data(), probe.size(), nullptr, nullptr);
      resent = true;
    }
    const gint64 until = resent ? end : std::min(end, resend_at);
    if (!g_socket_condition_timed_wait(socket, G_IO_IN, std::max<gint64>(1000, until - now), nullptr, nullptr))
      continue;
    const gssize n = g_socket_receive(socket, buf, sizeof buf, nullptr, nullptr);
    if (n <= 0) continue;
    for (const onvif::ProbeMatch& m : onvif::probe_matches(std::string(buf, static_cast<std::size_t>(n)))) {
      DiscoveredDevice d;
      d.endpoint = m.address;
      d.name = m.name;
      d.hardware = m.hardware;
      for (const auto& x : m.xaddrs) {  // the first http XAddr with an IPv4 host
        std::string host;
        int xport = 80;
        if (!split_xaddr(x, host, xport)) continue;
        g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(host.c_str());
        if (!ip || g_inet_address_get_family(ip) != G_SOCKET_FAMILY_IPV4) continue;
        d.host = host;
        d.onvif_port = xport;
        d.xaddr = x;
        break;
      }
      if (d.host.empty()) continue;
      const bool seen = std::any_of(devices.begin(), devices.end(), [&](const DiscoveredDevice& o) {
        return (!d.endpoint.empty() && o.endpoint == d.endpoint) || o.xaddr == d.xaddr;
      });
      if (!seen) devices.push_back(std::move(d));
    }
  }
  return true;
}

std::string cameras_json(const std::vector<DiscoveredDevice>& devices) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : devices) {
    nlohmann::json c;
    c["name"] = d.name.empty() ? d.host : d.name;
    c["host"] = d.host;
    c["brand"] = "onvif";
    c["onvif_port"] = d.onvif_port;
    list.push_back(c);
  }
  // Non-ASCII device names are replaced rather than breaking the output.
  return nlohmann::json{{"cameras", list}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace focusmeter::scan
