// A farm of fake cameras (tests/fakecam) for the stream tests: each one a
// child process on its own loopback address, all on one port chosen at run
// time, in a random 127.x.y.0/24 block so that parallel runs do not collide.
// Cameras die with the farm (SIGTERM), or with the test (their stdin closes).
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "../common/focusmeter_run.h"

namespace stream_test {

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
    for (GSubprocess* p : procs_) {
      g_subprocess_send_signal(p, SIGTERM);
      g_subprocess_wait(p, nullptr, nullptr);
      g_object_unref(p);
    }
    procs_.clear();
    port_ = 0;
  }

  std::string address(int octet) const { return block_ + "." + std::to_string(octet); }
  const std::string& block() const { return block_; }
  int port() const { return port_; }

 private:
  bool start_one(const FakeCamera& c) {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
        static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE));
    std::vector<std::string> args{FAKECAM_PATH, "--address", address(c.last_octet), "--port", std::to_string(port_)};
    args.insert(args.end(), c.args.begin(), c.args.end());
    std::vector<const gchar*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    GSubprocess* proc = g_subprocess_launcher_spawnv(launcher, argv.data(), nullptr);
    if (!proc) return false;
    procs_.push_back(proc);
    // "READY <address> <port>", or EOF when it could not listen.
    g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(proc));
    g_autofree gchar* line = g_data_input_stream_read_line(in, nullptr, nullptr, nullptr);
    int port = 0;
    if (!line || std::sscanf(line, "READY %*s %d", &port) != 1) return false;
    if (port_ == 0) port_ = port;
    return true;
  }

  std::string block_;
  int port_ = 0;
  std::vector<GSubprocess*> procs_;
};

using focusmeter_test::RunResult;
using focusmeter_test::run_focusmeter;

}  // namespace stream_test
