#include "fake_onvif.h"

#include <libsoup/soup.h>

#include <net/if.h>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

struct Service {
  FakeOnvifConfig config;
  int http_port = 0;
};

// The text of the first element whose local name is `local` ("" if none).
std::string element_text(const std::string& xml, const char* local) {
  g_autofree gchar* pattern = g_strdup_printf("<(?:[A-Za-z0-9_]+:)?%s(?:\\s[^>]*)?>([^<]*)<", local);
  g_autoptr(GRegex) re = g_regex_new(pattern, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, nullptr);
  g_autoptr(GMatchInfo) match = nullptr;
  if (!g_regex_match(re, xml.c_str(), G_REGEX_MATCH_DEFAULT, &match)) return {};
  g_autofree gchar* text = g_match_info_fetch(match, 1);
  return text ? text : "";
}

bool token_valid(const Service& s, const std::string& body) {
  if (s.config.user.empty()) return true;
  if (element_text(body, "Username") != s.config.user) return false;
  const std::string nonce_b64 = element_text(body, "Nonce"), created = element_text(body, "Created");
  if (nonce_b64.empty() || created.empty()) return false;
  gsize nonce_len = 0;
  g_autofree guchar* nonce = g_base64_decode(nonce_b64.c_str(), &nonce_len);
  g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
  g_checksum_update(sha1, nonce, nonce_len);
  g_checksum_update(sha1, reinterpret_cast<const guchar*>(created.data()), created.size());
  g_checksum_update(sha1, reinterpret_cast<const guchar*>(s.config.password.data()), s.config.password.size());
  guint8 digest[20];
  gsize len = sizeof digest;
  g_checksum_get_digest(sha1, digest, &len);
  g_autofree gchar* expected = g_base64_encode(digest, len);
  return element_text(body, "Password") == expected;
}

std::string envelope(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\" xmlns:trt=\"http://www.onvif.org/ver10/media/wsdl\" "
         "xmlns:tt=\"http://www.onvif.org/ver10/schema\" xmlns:ter=\"http://www.onvif.org/ver10/error\">"
         "<env:Body>" +
         body + "</env:Body></env:Envelope>";
}

void reply(SoupServerMessage* msg, guint status, const std::string& xml) {
  soup_server_message_set_status(msg, status, nullptr);
  soup_server_message_set_response(msg, "application/soap+xml; charset=utf-8", SOUP_MEMORY_COPY, xml.data(),
                                   xml.size());
}

void on_request(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer data) {
  const auto* s = static_cast<const Service*>(data);
  if (g_strcmp0(soup_server_message_get_method(msg), "POST") != 0) {
    soup_server_message_set_status(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, nullptr);
    return;
  }
  SoupMessageBody* request = soup_server_message_get_request_body(msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten(request);
  gsize size = 0;
  const char* raw = static_cast<const char*>(g_bytes_get_data(bytes, &size));
  const std::string body(raw ? raw : "", size);
  if (!token_valid(*s, body)) {
    reply(msg, SOUP_STATUS_BAD_REQUEST,
          envelope("<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>"
                   "ter:NotAuthorized</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">"
                   "Sender not Authorized</env:Text></env:Reason></env:Fault>"));
    return;
  }
  const std::string base = "http://" + s->config.address + ":" + std::to_string(s->http_port);
  const bool device = g_str_equal(path, "/onvif/device_service"), media = g_str_equal(path, "/onvif/media_service");
  if (device && body.find("GetCapabilities") != std::string::npos) {
    reply(msg, SOUP_STATUS_OK,
          envelope("<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>" + base +
                   "/onvif/media_service</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>"));
  } else if (media && body.find("GetProfiles") != std::string::npos) {
    reply(msg, SOUP_STATUS_OK,
          envelope("<trt:GetProfilesResponse><trt:Profiles token=\"Profile_1\" fixed=\"true\"><tt:Name>mainStream"
                   "</tt:Name></trt:Profiles><trt:Profiles token=\"Profile_2\" fixed=\"true\"><tt:Name>subStream"
                   "</tt:Name></trt:Profiles></trt:GetProfilesResponse>"));
  } else if (media && body.find("GetStreamUri") != std::string::npos) {
    const bool sub = element_text(body, "ProfileToken") == "Profile_2";
    g_autofree gchar* uri = g_markup_escape_text((sub ? s->config.sub_uri : s->config.stream_uri).c_str(), -1);
    reply(msg, SOUP_STATUS_OK,
          envelope(std::string("<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>") + uri +
                   "</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect></trt:MediaUri>"
                   "</trt:GetStreamUriResponse>"));
  } else {
    reply(msg, SOUP_STATUS_BAD_REQUEST,
          envelope("<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>"
                   "ter:ActionNotSupported</env:Value></env:Subcode></env:Code><env:Reason><env:Text "
                   "xml:lang=\"en\">Action not supported</env:Text></env:Reason></env:Fault>"));
  }
}

int bound_port(GSocket* socket) {
  g_autoptr(GSocketAddress) local = g_socket_get_local_address(socket, nullptr);
  return local ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local)) : -1;
}

struct Discovery {
  FakeOnvifConfig config;
  int onvif_port = 0;
  GSocket* socket = nullptr;
};

gboolean on_probe(GSocket* socket, GIOCondition, gpointer data) {
  const auto* d = static_cast<const Discovery*>(data);
  char buf[8192];
  GSocketAddress* from = nullptr;
  const gssize n = g_socket_receive_from(socket, &from, buf, sizeof buf - 1, nullptr, nullptr);
  g_autoptr(GSocketAddress) sender = from;
  if (n <= 0 || !sender) return G_SOURCE_CONTINUE;
  const std::string probe(buf, static_cast<std::size_t>(n));
  if (probe.find("Probe") == std::string::npos) return G_SOURCE_CONTINUE;
  const std::string message_id = element_text(probe, "MessageID");
  g_autofree gchar* name = g_uri_escape_string(d->config.name.c_str(), nullptr, FALSE);
  const std::string xaddr =
      "http://" + d->config.address + ":" + std::to_string(d->onvif_port) + "/onvif/device_service";
  const std::string match =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
      "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
      "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">"
      "<env:Header><wsa:MessageID>urn:uuid:5f1c0de0-0000-4000-8000-" +
      std::to_string(100000000000 + d->onvif_port) + "</wsa:MessageID><wsa:RelatesTo>" + message_id +
      "</wsa:RelatesTo><wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>"
      "<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></env:Header>"
      "<env:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:fa4ecam0-" +
      std::to_string(d->onvif_port) +
      "</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>"
      "onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/" +
      name + " onvif://www.onvif.org/hardware/FAKECAM-1</d:Scopes><d:XAddrs>" + xaddr +
      "</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>";
  g_socket_send_to(socket, sender, match.data(), match.size(), nullptr, nullptr);
  return G_SOURCE_CONTINUE;
}

}  // namespace

int start_fake_onvif(const FakeOnvifConfig& config, std::string& error) {
  // Both live as long as the process: the main loop serves them to the end.
  static std::unique_ptr<Service> held;
  held = std::make_unique<Service>(Service{config, 0});
  Service* service = held.get();
  static SoupServer* server = nullptr;
  server = soup_server_new("server-header", "fakecam-onvif", nullptr);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(config.address.c_str());
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(inet, static_cast<guint16>(config.port));
  g_autoptr(GError) err = nullptr;
  if (!soup_server_listen(server, sa, static_cast<SoupServerListenOptions>(0), &err)) {
    error = err->message;
    return -1;
  }
  GSList* listeners = soup_server_get_listeners(server);
  service->http_port = listeners ? bound_port(static_cast<GSocket*>(listeners->data)) : -1;
  g_slist_free(listeners);
  soup_server_add_handler(server, "/onvif", on_request, service, nullptr);
  return service->http_port;
}

int start_fake_discovery(const FakeOnvifConfig& config, int onvif_port, int port, std::string& error) {
  static std::unique_ptr<Discovery> held;  // lives as long as the process
  held = std::make_unique<Discovery>(Discovery{config, onvif_port, nullptr});
  Discovery* d = held.get();
  g_autoptr(GError) err = nullptr;
  d->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &err);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(config.address.c_str());
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(inet, static_cast<guint16>(port));
  if (!d->socket || !g_socket_bind(d->socket, sa, TRUE, &err)) {
    error = err ? err->message : "cannot bind UDP";
    return -1;
  }
  GSource* source = g_socket_create_source(d->socket, G_IO_IN, nullptr);
  g_source_set_callback(source, G_SOURCE_FUNC(on_probe), d, nullptr);
  g_source_attach(source, nullptr);
  g_source_unref(source);
  return bound_port(d->socket);
}

int start_fake_discovery_group(const FakeOnvifConfig& config, int onvif_port, std::string& error) {
  static std::unique_ptr<Discovery> held;  // lives as long as the process
  held = std::make_unique<Discovery>(Discovery{config, onvif_port, nullptr});
  Discovery* d = held.get();
  g_autoptr(GError) err = nullptr;
  d->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &err);
  g_autoptr(GInetAddress) any = g_inet_address_new_any(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(any, 3702);
  g_autoptr(GInetAddress) group = g_inet_address_new_from_string("239.255.255.250");
  if (!d->socket || !g_socket_bind(d->socket, sa, TRUE, &err) ||
      !g_socket_join_multicast_group(d->socket, group, FALSE, "lo", &err)) {
    error = err ? err->message : "cannot join the WS-Discovery group";
    return -1;
  }
  GSource* source = g_socket_create_source(d->socket, G_IO_IN, nullptr);
  g_source_set_callback(source, G_SOURCE_FUNC(on_probe), d, nullptr);
  g_source_attach(source, nullptr);
  g_source_unref(source);
  return 3702;
}

bool only_loopback_interface() {
  struct if_nameindex* names = if_nameindex();
  if (!names) return false;
  bool only_lo = true;
  for (struct if_nameindex* i = names; i->if_index != 0; ++i) only_lo &= std::strcmp(i->if_name, "lo") == 0;
  if_freenameindex(names);
  return only_lo;
}
