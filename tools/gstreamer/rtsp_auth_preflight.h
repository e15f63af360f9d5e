// Never hand the password to whoever asks for Basic auth.
//
// rtspsrc (1.22) has no auth-method setting: given user-id/user-pw, it
// answers a 401 with the strongest method the server offers, and that is
// Basic (the password in base64, i.e. in clear) when Basic is all it offers.
// So before rtspsrc gets the credentials, this asks the camera once itself,
// without any: one DESCRIBE on a GstRTSPConnection, and reads which
// authentication the 401 offers. The caller then refuses Basic-only
// cameras unless the user allowed Basic (or the link is rtsps://).
//
// Limit (documented in docs/scan.md): a peer that offers Digest here and
// only Basic to rtspsrc's own DESCRIBE a moment later would still get
// Basic; rtspsrc offers no hook to forbid a method.
#pragma once

#include <glib.h>

#include <string>

namespace focusmeter::gst {

struct AuthPreflight {
  bool answered = false;  // an RTSP response arrived
  int code = 0;           // its status code (401, 404, 200, ...)
  bool offers_basic = false;
  bool offers_digest = false;
  std::string error;  // when !answered: why (connect failed, timeout, not RTSP)

  // A 401 whose only offer is Basic.
  bool basic_only() const { return code == 401 && offers_basic && !offers_digest; }
};

// One unauthenticated DESCRIBE of `url` (no credentials in it), bounded by
// `deadline_us` (g_get_monotonic_time). Sends nothing secret.
AuthPreflight rtsp_auth_preflight(const std::string& url, gint64 deadline_us);

// The one-line reason for refusing a Basic-only camera.
inline const char* kBasicAuthRefused =
    "camera asks for Basic auth; refused to send the password in clear (use --allow-basic-auth)";

}  // namespace focusmeter::gst
