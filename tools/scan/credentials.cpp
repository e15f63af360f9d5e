#include "scan/credentials.h"

#include <glib.h>

namespace focusmeter::scan {

std::string resolve_password(const PasswordRef& ref) {
  if (!ref.file.empty()) return gst::read_password_file(ref.file);
  if (!ref.env.empty()) {
    const char* v = g_getenv(ref.env.c_str());
    if (!v || !*v) throw gst::CredentialError("environment variable " + ref.env + " (a camera's password) is not set");
    return v;
  }
  return {};
}

}  // namespace focusmeter::scan
