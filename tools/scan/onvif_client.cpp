#include "scan/onvif_client.h"

#include <libsoup/soup.h>

#include <algorithm>
#include <cmath>

#include "scan/onvif_soap.h"

namespace focusmeter::scan {

namespace {

// Replies are small (a few KB); a device sending more is not trusted further.
constexpr gsize kMaxReplyBytes = 1 << 20;

struct Post {
  bool connected = false;  // an HTTP answer arrived
  guint status = 0;
  std::string body;
  std::string error;
};

Post post(SoupSession* session, const std::string& url, const std::string& envelope, const char* action) {
  Post out;
  g_autoptr(SoupMessage) msg = soup_message_new("POST", url.c_str());
  if (!msg) {
    out.error = "not a valid service address";
    return out;
  }
  // A device's redirect is not followed: it could point anywhere.
  soup_message_add_flags(msg, SOUP_MESSAGE_NO_REDIRECT);
  const std::string content_type = std::string("application/soap+xml; charset=utf-8; action=\"") + action + "\"";
  g_autoptr(GBytes) body = g_bytes_new(envelope.data(), envelope.size());
  soup_message_set_request_body_from_bytes(msg, content_type.c_str(), body);
  g_autoptr(GError) err = nullptr;
  g_autoptr(GInputStream) in = soup_session_send(session, msg, nullptr, &err);
  if (!in) {
    out.error = err ? err->message : "no answer";
    return out;
  }
  out.connected = true;
  out.status = soup_message_get_status(msg);
  std::string text;
  char buf[16384];
  for (;;) {
    const gssize n = g_input_stream_read(in, buf, sizeof buf, nullptr, &err);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxReplyBytes) {
      out.error = "reply larger than 1 MiB";
      return out;
    }
  }
  out.body = std::move(text);
  return out;
}

std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

std::string reaim_url(const std::string& url, const std::string& host) {
  g_autoptr(GUri) uri = g_uri_parse(url.c_str(), G_URI_FLAGS_ENCODED, nullptr);
  if (!uri || !g_uri_get_host(uri)) return {};
  std::string out = std::string(g_uri_get_scheme(uri)) + "://" + host_for_url(host);
  if (g_uri_get_port(uri) > 0) out += ":" + std::to_string(g_uri_get_port(uri));
  const char* path = g_uri_get_path(uri);
  out += (path && *path) ? path : "/";
  if (const char* query = g_uri_get_query(uri)) out += std::string("?") + query;
  return out;
}

OnvifLookup onvif_stream_uri(const std::string& host, int port, const std::string& user, const std::string& password,
                             bool substream, gint64 deadline_us) {
  OnvifLookup out;
  using Outcome = OnvifLookup::Outcome;
  auto remaining_s = [&] {
    return static_cast<guint>(std::max(1.0, std::ceil((deadline_us - g_get_monotonic_time()) / 1e6)));
  };
  g_autoptr(SoupSession) session = soup_session_new_with_options("timeout", remaining_s(), "idle-timeout",
                                                                 remaining_s(), "user-agent", "focusmeter", nullptr);
  // Classifies a failed call; true when the lookup must stop.
  auto failed = [&](const Post& p, const onvif::Reply& reply, const char* step) {
    if (!p.connected) {
      out.outcome = Outcome::NotOnvif;
      out.reason = std::string("no ONVIF answer (") + p.error + ")";
      return true;
    }
    if (reply.not_authorized || p.status == SOUP_STATUS_UNAUTHORIZED) {
      out.outcome = Outcome::AuthFailed;
      out.reason = user.empty() ? std::string("ONVIF device requires credentials; give --user and --password-file")
                                : std::string("ONVIF credentials rejected (") + step + ")";
      return true;
    }
    if (!reply.xml) {
      out.outcome = Outcome::NotOnvif;
      out.reason = "not an ONVIF answer (HTTP " + std::to_string(p.status) + ")";
      return true;
    }
    if (reply.fault || p.status >= 300) {
      out.outcome = Outcome::Failed;
      out.reason = std::string("ONVIF ") + step +
                   " failed: " + (reply.fault_reason.empty() ? "HTTP " + std::to_string(p.status) : reply.fault_reason);
      return true;
    }
    return false;
  };

  const std::string device_url = "http://" + host_for_url(host) + ":" + std::to_string(port) + "/onvif/device_service";
  Post caps = post(session, device_url, onvif::envelope(onvif::get_capabilities_body(), user, password),
                   "http://www.onvif.org/ver10/device/wsdl/GetCapabilities");
  if (failed(caps, onvif::read_reply(caps.body), "GetCapabilities")) return out;
  const std::string media = reaim_url(onvif::media_xaddr(caps.body), host);
  if (media.empty()) {
    out.outcome = Outcome::NotOnvif;
    out.reason = "the ONVIF device names no Media service";
    return out;
  }

  g_object_set(session, "timeout", remaining_s(), nullptr);
  Post profiles = post(session, media, onvif::envelope(onvif::get_profiles_body(), user, password),
                       "http://www.onvif.org/ver10/media/wsdl/GetProfiles");
  if (failed(profiles, onvif::read_reply(profiles.body), "GetProfiles")) return out;
  const auto tokens = onvif::profile_tokens(profiles.body);
  if (tokens.empty()) {
    out.outcome = Outcome::Failed;
    out.reason = "the ONVIF device has no media profile";
    return out;
  }
  const std::string& token = substream && tokens.size() > 1 ? tokens[1] : tokens[0];

  g_object_set(session, "timeout", remaining_s(), nullptr);
  Post uri = post(session, media, onvif::envelope(onvif::get_stream_uri_body(token), user, password),
                  "http://www.onvif.org/ver10/media/wsdl/GetStreamUri");
  if (failed(uri, onvif::read_reply(uri.body), "GetStreamUri")) return out;
  const std::string given = onvif::stream_uri(uri.body);
  const std::string aimed = reaim_url(given, host);
  if (aimed.rfind("rtsp://", 0) != 0 && aimed.rfind("rtsps://", 0) != 0) {
    out.outcome = Outcome::Failed;
    out.reason = "the ONVIF device gave no rtsp:// stream URI";
    return out;
  }
  out.outcome = Outcome::Found;
  out.uri = aimed;
  return out;
}

}  // namespace focusmeter::scan
