#include "gstreamer/credentials.h"

#include "cli/secret_file.h"

namespace focusmeter::gst {
namespace {

void on_source_setup(GstElement*, GstElement* source, gpointer data) {
  const auto* c = static_cast<const StreamCredentials*>(data);
  GObjectClass* klass = G_OBJECT_GET_CLASS(source);
  if (c->empty() || !g_object_class_find_property(klass, "user-id") || !g_object_class_find_property(klass, "user-pw"))
    return;
  g_object_set(source, "user-id", c->user.c_str(), "user-pw", c->password.c_str(), nullptr);
}

}  // namespace

std::string read_password_file(const std::string& path) {
  std::string pw, error;
  if (!cli::read_secret_file(path, pw, error)) throw CredentialError("cannot read password file: " + error);
  if (pw.empty()) throw CredentialError("password file " + path + " is empty");
  return pw;
}

StreamCredentials credentials_from_options(const char* user, const char* password_file) {
  StreamCredentials c;
  if (user) c.user = user;
  if (password_file) {
    c.password = read_password_file(password_file);
  } else if (const char* env = g_getenv("FOCUSMETER_PASSWORD"); env && *env) {
    c.password = env;
  }
  if (!c.password.empty() && c.user.empty()) c.user = "admin";
  return c;
}

void connect_stream_credentials(GstElement* uridecodebin, const StreamCredentials& credentials) {
  // The handler only reads; GLib's user data is not const.
  g_signal_connect(uridecodebin, "source-setup", G_CALLBACK(on_source_setup),
                   const_cast<StreamCredentials*>(&credentials));
}

}  // namespace focusmeter::gst
