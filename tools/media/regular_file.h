// Opening input files without ever blocking on, or reading from, something
// that is not a file: `check fifo.jpg` must not wait for a writer, and a
// device, socket or broken link gets a reason instead of an open().
#pragma once

#include <string>

namespace focusmeter::media {

// "" when `path` is (or links to) a regular file; otherwise one line saying
// what it is: "not a regular file (a FIFO)", "(a socket)", "(a character
// device)", "broken symbolic link", "symbolic link loop", "no such file", ...
std::string non_regular_file_reason(const std::string& path);

// Opens a regular file for reading: O_NONBLOCK so that a FIFO swapped in
// after a check cannot block the open, then fstat() on the descriptor (the
// thing actually opened) must say regular. Returns the descriptor (blocking
// mode restored), or -1 with one line in `error`. The caller closes it.
int open_regular_file(const std::string& path, std::string& error);

}  // namespace focusmeter::media
