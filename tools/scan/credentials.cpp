#include "scan/credentials.h"

#include <glib.h>

namespace focusmeter::scan {

std::string read_password_file(const std::string& path) {
  g_autofree gchar* text = nullptr;
  gsize size = 0;
  if (!g_file_get_contents(path.c_str(), &text, &size, nullptr))
    throw CredentialError("cannot read password file " + path);
  std::string pw(text, size);
  pw = pw.substr(0, pw.find_first_of("\r\n"));
  if (pw.empty()) throw CredentialError("password file " + path + " is empty");
  return pw;
}

std::string resolve_password(const PasswordRef& ref) {
  if (!ref.file.empty()) return read_password_file(ref.file);
  if (!ref.env.empty()) {
    const char* v = g_getenv(ref.env.c_str());
    if (!v || !*v) throw CredentialError("environment variable " + ref.env + " (a camera's password) is not set");
    return v;
  }
  return {};
}

}  // namespace focusmeter::scan
