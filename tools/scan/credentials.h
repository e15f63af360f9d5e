// Camera passwords for `scan`: read from a file or an environment variable,
// never from the command line (where `ps` and shell history would show
// them). The reading itself is shared with `check` (gstreamer/credentials.h).
#pragma once

#include <string>

#include "gstreamer/credentials.h"
#include "scan/targets.h"

namespace focusmeter::scan {

using gst::CredentialError;
using gst::read_password_file;

// The password a camera list's reference points to (file first, then
// environment). Throws CredentialError when the file is unreadable or
// empty, or the variable unset.
std::string resolve_password(const PasswordRef& ref);

}  // namespace focusmeter::scan
