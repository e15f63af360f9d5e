// Camera credentials for stream sources. The password never comes from the
// command line (ps and shell history would show it): --password-file FILE,
// else $FOCUSMETER_PASSWORD. Sources get them as properties (rtspsrc and
// souphttpsrc `user-id`/`user-pw`), never inside the URL, so they stay out
// of reports, errors, file names and GStreamer's debug log.
#pragma once

#include <gst/gst.h>

#include <stdexcept>
#include <string>

namespace focusmeter::gst {

class CredentialError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StreamCredentials {
  std::string user;
  std::string password;
  bool empty() const { return user.empty() && password.empty(); }
};

// The password in the first line of `path`. Throws CredentialError (naming
// the file, never its content) when unreadable or empty.
std::string read_password_file(const std::string& path);

// --user / --password-file / $FOCUSMETER_PASSWORD as every command reads
// them (either pointer may be null). A password without a user means the
// user "admin". Throws CredentialError.
StreamCredentials credentials_from_options(const char* user, const char* password_file);

// Hands `credentials` to the source element a uridecodebin/uridecodebin3
// creates (its "source-setup" signal), when that source takes them.
// `credentials` must outlive the pipeline.
void connect_stream_credentials(GstElement* uridecodebin, const StreamCredentials& credentials);

}  // namespace focusmeter::gst
