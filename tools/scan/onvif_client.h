// Asking an ONVIF device for its own stream URI (Profile S):
//   Device GetCapabilities -> Media XAddr
//   Media GetProfiles      -> profile tokens (the first: main stream; the
//                             second: substream, when asked and present)
//   Media GetStreamUri     -> rtsp://...
// over HTTP (libsoup 3), each request with a WS-UsernameToken
// PasswordDigest built from the scan's own credentials (never the password
// in clear). The device is trusted for paths and ports only: the XAddr and
// the stream URI are re-aimed at the host being scanned, so a device cannot
// send the scan (and its credentials) to another machine.
#pragma once

#include <glib.h>

#include <string>

namespace focusmeter::scan {

struct OnvifLookup {
  enum class Outcome {
    Found,       // uri is set
    NotOnvif,    // nothing ONVIF answered there (closed port, not SOAP, no Media service)
    AuthFailed,  // the device refused the credentials
    Failed,      // an ONVIF device, but no stream URI (fault, no profile, timeout)
  };
  Outcome outcome = Outcome::NotOnvif;
  std::string uri;     // Found: rtsp://host[:port]/path, no credentials
  std::string reason;  // otherwise: one line, no password
};

// `host` as scanned, `port` its ONVIF HTTP port; bounded by `deadline_us`
// (g_get_monotonic_time).
OnvifLookup onvif_stream_uri(const std::string& host, int port, const std::string& user, const std::string& password,
                             bool substream, gint64 deadline_us);

// Re-aims `url` (http:// or rtsp://) at `host`, keeping scheme, port, path
// and query and dropping any user:password. "" if `url` is not a URL.
std::string reaim_url(const std::string& url, const std::string& host);

}  // namespace focusmeter::scan
