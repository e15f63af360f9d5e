// Secrets kept in files (a camera password, a bearer token): one reader, so
// every command treats them alike and no error ever quotes the content.
#pragma once

#include <string>

namespace focusmeter::cli {

// The first line of the text file `path`, without its line ending (callers
// that want white space trimmed do so). False with a one-line `error` that
// names the file, never its content, when the file cannot be read or holds
// a NUL byte (not a text file). An empty first line is returned as "".
bool read_secret_file(const std::string& path, std::string& line, std::string& error);

}  // namespace focusmeter::cli
