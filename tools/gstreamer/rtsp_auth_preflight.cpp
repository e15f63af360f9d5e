#include "gstreamer/rtsp_auth_preflight.h"

#include <gst/rtsp/rtsp.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace focusmeter::gst {

namespace {

struct UrlFree {
  void operator()(GstRTSPUrl* u) const { gst_rtsp_url_free(u); }
};
struct ConnectionFree {
  void operator()(GstRTSPConnection* c) const {
    gst_rtsp_connection_close(c);
    gst_rtsp_connection_free(c);
  }
};
struct MessageUnset {
  void operator()(GstRTSPMessage* m) const { gst_rtsp_message_free(m); }
};

// What is left of the deadline, at least 1 ms (0 would mean "no timeout").
gint64 remaining_us(gint64 deadline_us) { return std::max<gint64>(1000, deadline_us - g_get_monotonic_time()); }

}  // namespace

AuthPreflight rtsp_auth_preflight(const std::string& url_text, gint64 deadline_us) {
  AuthPreflight out;
  GstRTSPUrl* raw_url = nullptr;
  if (gst_rtsp_url_parse(url_text.c_str(), &raw_url) != GST_RTSP_OK || !raw_url) {
    out.error = "not an RTSP URL";
    return out;
  }
  std::unique_ptr<GstRTSPUrl, UrlFree> url(raw_url);
  GstRTSPConnection* raw_conn = nullptr;
  if (gst_rtsp_connection_create(url.get(), &raw_conn) != GST_RTSP_OK || !raw_conn) {
    out.error = "cannot create an RTSP connection";
    return out;
  }
  std::unique_ptr<GstRTSPConnection, ConnectionFree> conn(raw_conn);
  if (gst_rtsp_connection_connect_usec(conn.get(), remaining_us(deadline_us)) != GST_RTSP_OK) {
    out.error = "cannot connect";
    return out;
  }
  GstRTSPMessage* raw_request = nullptr;
  gst_rtsp_message_new_request(&raw_request, GST_RTSP_DESCRIBE, url_text.c_str());
  std::unique_ptr<GstRTSPMessage, MessageUnset> request(raw_request);
  gst_rtsp_message_add_header(request.get(), GST_RTSP_HDR_CSEQ, "1");
  gst_rtsp_message_add_header(request.get(), GST_RTSP_HDR_ACCEPT, "application/sdp");
  gst_rtsp_message_add_header(request.get(), GST_RTSP_HDR_USER_AGENT, "focusmeter");
  if (gst_rtsp_connection_send_usec(conn.get(), request.get(), remaining_us(deadline_us)) != GST_RTSP_OK) {
    out.error = "cannot send a request";
    return out;
  }
  GstRTSPMessage* raw_response = nullptr;
  gst_rtsp_message_new(&raw_response);
  std::unique_ptr<GstRTSPMessage, MessageUnset> response(raw_response);
  // Skip anything that is not the response (an interleaved data packet, a
  // request from the server), up to a few messages.
  for (int tries = 0; tries < 4; ++tries) {
    gst_rtsp_message_unset(response.get());
    if (gst_rtsp_connection_receive_usec(conn.get(), response.get(), remaining_us(deadline_us)) != GST_RTSP_OK) {
      out.error = "no RTSP answer";
      return out;
    }
    if (gst_rtsp_message_get_type(response.get()) == GST_RTSP_MESSAGE_RESPONSE) break;
  }
  GstRTSPStatusCode code = GST_RTSP_STS_INVALID;
  if (gst_rtsp_message_parse_response(response.get(), &code, nullptr, nullptr) != GST_RTSP_OK) {
    out.error = "no RTSP answer";
    return out;
  }
  out.answered = true;
  out.code = static_cast<int>(code);
  gchar* value = nullptr;
  for (gint i = 0; gst_rtsp_message_get_header(response.get(), GST_RTSP_HDR_WWW_AUTHENTICATE, &value, i) == GST_RTSP_OK;
       ++i) {
    // "Digest realm=..., nonce=...", "Basic realm=..."; a header may list
    // several challenges, so look for each scheme name anywhere.
    g_autofree gchar* lower = g_ascii_strdown(value, -1);
    if (g_str_has_prefix(lower, "basic") || strstr(lower, ", basic") || strstr(lower, ",basic"))
      out.offers_basic = true;
    if (g_str_has_prefix(lower, "digest") || strstr(lower, ", digest") || strstr(lower, ",digest"))
      out.offers_digest = true;
  }
  return out;
}

}  // namespace focusmeter::gst
