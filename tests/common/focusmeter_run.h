// Runs the built focusmeter program as a test would from a shell: the one
// runner the integration tests of scan and stream share. Needs
// FOCUSMETER_EXE defined by the test's meson.build.
#pragma once

#include <gio/gio.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace focusmeter_test {

struct RunResult {
  int status = -1;
  std::string out, err;
  double seconds = 0;
};

// Runs focusmeter with `args` and extra environment; waits for it.
inline RunResult run_focusmeter(const std::vector<std::string>& args,
                                const std::map<std::string, std::string>& env = {}) {
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE));
  for (const auto& [k, v] : env) g_subprocess_launcher_setenv(launcher, k.c_str(), v.c_str(), TRUE);
  std::vector<const gchar*> argv{FOCUSMETER_EXE};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  g_autoptr(GError) err = nullptr;
  g_autoptr(GSubprocess) proc = g_subprocess_launcher_spawnv(launcher, argv.data(), &err);
  RunResult r;
  if (!proc) {
    r.err = err->message;
    return r;
  }
  // Bytes, not UTF-8: a GStreamer debug log (GST_DEBUG=*rtsp*:6 dumps
  // interleaved RTP) is not valid UTF-8, and communicate_utf8 would then
  // return neither stream at all.
  g_autoptr(GBytes) out = nullptr;
  g_autoptr(GBytes) errs = nullptr;
  g_subprocess_communicate(proc, nullptr, nullptr, &out, &errs, &err);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.status = g_subprocess_get_if_exited(proc) ? g_subprocess_get_exit_status(proc) : -1;
  auto text = [](GBytes* b) {
    gsize n = 0;
    const auto* data = b ? static_cast<const char*>(g_bytes_get_data(b, &n)) : nullptr;
    return data ? std::string(data, n) : std::string();
  };
  r.out = text(out);
  r.err = text(errs);
  return r;
}

}  // namespace focusmeter_test
