#include "watch/alert_sink.h"

#include <glib.h>

namespace focusmeter::watch {

AlertLog default_alert_log() {
  return [](const std::string& line) { g_printerr("focusmeter watch: %s\n", line.c_str()); };
}

}  // namespace focusmeter::watch
