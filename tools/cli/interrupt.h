// Ctrl-C and SIGTERM during `check` and `scan`: the first signal asks the run
// to stop and finish its report with what is done (marked partial); the
// handler then steps aside, so a second signal ends the process at once.
// The exit status is 128 + the signal (130 for SIGINT, 143 for SIGTERM), as
// a shell reports a command killed by it.
#pragma once

#include <string>

namespace focusmeter::cli {

class InterruptWatch {
 public:
  // Installs the SIGINT and SIGTERM handlers; the destructor restores the
  // previous ones. One at a time per process.
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // 0 until a signal came, then its number. Safe from any thread.
  static int received();
};

// "SIGINT", "SIGTERM", else "signal N".
std::string signal_label(int sig);
inline int interrupted_exit_status(int sig) { return 128 + sig; }

}  // namespace focusmeter::cli
