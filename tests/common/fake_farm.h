// Fake cameras (tests/fakecam) for the integration tests of scan, stream and
// watch: spawn_fakecam starts one child process; a FakeFarm starts many,
// each on its own loopback address, all on one port chosen at run time, in a
// random 127.x.y.0/24 block so that parallel runs do not collide. Cameras
// die with their owner (SIGTERM), or with the test (their stdin closes).
// Needs FAKECAM_PATH defined by the test's meson.build.
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "focusmeter_run.h"

namespace focusmeter_test {

// The ports a fakecam announces on its first line: "READY <address> <rtsp>
// [<onvif> <discovery>]".
struct FakecamPorts {
  int rtsp = 0, onvif = 0, discovery = 0;
};

// Starts `FAKECAM_PATH args...` and waits for its READY line. Null (and the
// child reaped) when it could not start or listen; the caller owns the
// process otherwise (stop_fakecam).
inline GSubprocess* spawn_fakecam(const std::vector<std::string>& args, FakecamPorts& ports) {
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE));
  // FAKECAM_DEBUG_DIR=DIR FAKECAM_GST_DEBUG=SPEC: each camera writes its own
  // GStreamer debug log into DIR (the test's own stderr stays readable).
  if (const char* dbg = g_getenv("FAKECAM_DEBUG_DIR")) {
    static int n = 0;
    std::string file = std::string(dbg) + "/fc-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ".log";
    g_subprocess_launcher_setenv(launcher, "GST_DEBUG", g_getenv("FAKECAM_GST_DEBUG"), TRUE);
    g_subprocess_launcher_setenv(launcher, "GST_DEBUG_FILE", file.c_str(), TRUE);
    g_subprocess_launcher_setenv(launcher, "GST_DEBUG_NO_COLOR", "1", TRUE);
  }
  std::vector<const gchar*> argv{FAKECAM_PATH};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  GSubprocess* proc = g_subprocess_launcher_spawnv(launcher, argv.data(), nullptr);
  if (!proc) return nullptr;
  g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(proc));
  g_autofree gchar* line = g_data_input_stream_read_line(in, nullptr, nullptr, nullptr);
  if (!line || std::sscanf(line, "READY %*s %d %d %d", &ports.rtsp, &ports.onvif, &ports.discovery) < 1) {
    g_subprocess_force_exit(proc);
    g_subprocess_wait(proc, nullptr, nullptr);
    g_object_unref(proc);
    return nullptr;
  }
  return proc;
}

// Stops and reaps a camera from spawn_fakecam.
inline void stop_fakecam(GSubprocess* proc) {
  if (!proc) return;
  g_subprocess_send_signal(proc, SIGTERM);
  g_subprocess_wait(proc, nullptr, nullptr);
  g_object_unref(proc);
}

struct FakeCamera {
  int last_octet = 0;
  std::vector<std::string> args;  // fakecam arguments besides address/port
};

class FakeFarm {
 public:
  FakeFarm() = default;
  FakeFarm(const FakeFarm&) = delete;
  FakeFarm& operator=(const FakeFarm&) = delete;
  ~FakeFarm() { stop(); }

  // Starts every camera; false when one could not start (after 5 blocks).
  bool start(const std::vector<FakeCamera>& cameras) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      block_ = "127." + std::to_string(g_random_int_range(64, 255)) + "." + std::to_string(g_random_int_range(0, 256));
      bool ok = true;
      for (const FakeCamera& c : cameras)
        if (!(ok = start_one(c))) break;
      if (ok) return true;
      stop();
    }
    return false;
  }

  void stop() {
    for (GSubprocess* p : procs_) stop_fakecam(p);
    procs_.clear();
    port_ = 0;
  }

  std::string address(int octet) const { return block_ + "." + std::to_string(octet); }
  const std::string& block() const { return block_; }
  int port() const { return port_; }

 private:
  bool start_one(const FakeCamera& c) {
    std::vector<std::string> args{"--address", address(c.last_octet), "--port", std::to_string(port_)};
    args.insert(args.end(), c.args.begin(), c.args.end());
    FakecamPorts ports;
    GSubprocess* proc = spawn_fakecam(args, ports);
    if (!proc) return false;
    procs_.push_back(proc);
    if (port_ == 0) port_ = ports.rtsp;
    return true;
  }

  std::string block_;
  int port_ = 0;
  std::vector<GSubprocess*> procs_;
};

}  // namespace focusmeter_test
