// Camera passwords: read from a file or an environment variable, never from
// the command line (where `ps` and shell history would show them).
#pragma once

#include <stdexcept>
#include <string>

#include "scan/targets.h"

namespace focusmeter::scan {

class CredentialError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The first line of `path`, without its line ending. Throws CredentialError
// (naming the file, never its content) when unreadable or empty.
std::string read_password_file(const std::string& path);

// The password a reference points to (file first, then environment).
// Throws CredentialError when the file is unreadable or the variable unset.
std::string resolve_password(const PasswordRef& ref);

}  // namespace focusmeter::scan
