// promtool (Debian package prometheus, installed by
// tools/scripts/install-deps.sh) for the tests of the Prometheus outputs:
// `promtool check metrics` reads the text exposition on stdin and reports
// format errors and lint problems (naming, HELP, units) on its output.
// $PROMTOOL names another promtool. A test that needs it fails, with the
// package named, when it is missing: a lint that silently did not run
// would pass anything.
#pragma once

#include <gio/gio.h>

#include <string>
#include <vector>

namespace focusmeter_test {

inline std::string promtool_path() {
  const char* env = g_getenv("PROMTOOL");
  if (env && *env) return env;
  g_autofree char* found = g_find_program_in_path("promtool");
  return found ? found : "";
}

struct PromtoolResult {
  bool ran = false;  // false: no promtool, `output` says why
  int status = -1;   // promtool's exit status
  std::string output;
  bool clean() const { return ran && status == 0 && output.empty(); }
};

// Runs `promtool ARGS...` with `input` on stdin; stdout and stderr merged.
inline PromtoolResult run_promtool(const std::vector<std::string>& args, const std::string& input = "") {
  PromtoolResult r;
  const std::string promtool = promtool_path();
  if (promtool.empty()) {
    r.output = "promtool not found: install the Debian package prometheus (make test does) or set PROMTOOL";
    return r;
  }
  std::vector<const gchar*> argv{promtool.c_str()};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  g_autoptr(GError) err = nullptr;
  g_autoptr(GSubprocess) p =
      g_subprocess_newv(argv.data(),
                        static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                      G_SUBPROCESS_FLAGS_STDERR_MERGE),
                        &err);
  if (!p) {
    r.output = err->message;
    return r;
  }
  g_autofree char* out = nullptr;
  if (!g_subprocess_communicate_utf8(p, input.c_str(), nullptr, &out, nullptr, &err)) {
    r.output = err->message;
    return r;
  }
  r.ran = true;
  r.status = g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : -1;
  r.output = out ? out : "";
  return r;
}

// `promtool check metrics` of `text`: clean() when it found nothing.
inline PromtoolResult promtool_check_metrics(const std::string& text) {
  return run_promtool({"check", "metrics"}, text);
}

}  // namespace focusmeter_test
