// Reports are never lost: while `check` runs, an earlier report at --output
// stays intact (the new one goes to a temporary file renamed at the end);
// SIGINT or SIGTERM mid-run finishes the report with what is done, marked
// partial, and exits 130 / 143.
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "bombs.h"
#include "cli_run.h"

using hardening_test::read_file;
using hardening_test::TempDir;
using hardening_test::write_file;
using nlohmann::json;

namespace {

// A loopback TCP port that accepts connections (the kernel completes the
// handshake) and never says a word: an RTSP client waits out its timeout.
class SilentServer {
 public:
  SilentServer() {
    socket_ = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
    g_autoptr(GInetAddress) lo = g_inet_address_new_from_string("127.0.0.1");
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    if (!socket_ || !g_socket_bind(socket_, any, FALSE, nullptr) || !g_socket_listen(socket_, nullptr)) return;
    g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket_, nullptr);
    if (bound) port_ = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  }
  ~SilentServer() {
    if (socket_) g_object_unref(socket_);
  }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  int port() const { return port_; }

 private:
  GSocket* socket_ = nullptr;
  int port_ = 0;
};

struct Interrupted {
  int exit_code = -1;
  std::string report_during_run;
};

// Runs `focusmeter check ARGS`, waits `after`, reads --output, sends `sig`.
Interrupted interrupt_check(const std::vector<std::string>& args, const std::string& output, int sig,
                            std::chrono::milliseconds after) {
  std::vector<const char*> argv = {FOCUSMETER_EXE, "check"};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  GPid pid = 0;
  g_autoptr(GError) error = nullptr;
  Interrupted r;
  if (!g_spawn_async(nullptr, const_cast<gchar**>(argv.data()), nullptr,
                     static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL), nullptr, nullptr,
                     &pid, &error))
    return r;
  std::this_thread::sleep_for(after);
  r.report_during_run = read_file(output);
  kill(pid, sig);
  int status = 0;
  waitpid(pid, &status, 0);
  g_spawn_close_pid(pid);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
  return r;
}

std::vector<std::string> inputs(const TempDir& dir, int port) {
  std::vector<std::string> in;
  for (int i = 0; i < 3; ++i) {
    const std::string p = dir / ("img" + std::to_string(i) + ".png");
    write_file(p, bombs::encode(".png", 96, 64));
    in.push_back(p);
  }
  // One at a time: the images finish, then the silent "camera" holds the run.
  in.push_back("rtsp://127.0.0.1:" + std::to_string(port) + "/stream");
  in.push_back(dir / "img0.png");
  return in;
}

TEST(InterruptedReport, SigintKeepsThePreviousReportThenWritesAPartialOne) {
  TempDir dir;
  SilentServer camera;
  ASSERT_NE(camera.port(), 0);
  const std::string out = dir / "report.json";
  write_file(out, std::string("{\"previous\": true}\n"));
  std::vector<std::string> args = {"--jobs", "1", "--timeout", "60", "--stream-seconds", "60", "--output", out};
  for (auto& i : inputs(dir, camera.port())) args.push_back(i);

  const Interrupted run = interrupt_check(args, out, SIGINT, std::chrono::milliseconds(3000));
  EXPECT_EQ(run.report_during_run, "{\"previous\": true}\n");
  EXPECT_EQ(run.exit_code, 130);
  const json report = json::parse(read_file(out));
  EXPECT_EQ(report["partial"], true);
  EXPECT_EQ(report["schema_version"], 2);
  const std::string why = report["interrupted"];
  EXPECT_EQ(why.rfind("interrupted by SIGINT after ", 0), 0u) << why;
  EXPECT_NE(why.find(" of 5 inputs"), std::string::npos) << why;
  // The three images were done; the stream and the last image were not.
  ASSERT_EQ(report["results"].size(), 3u) << report.dump();
  for (const json& r : report["results"]) EXPECT_EQ(r["status"], "ok") << r.dump();
  EXPECT_EQ(report["summary"]["inputs"], 3);
  // No temporary file left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.path().filename().string()[0] == '.';
  EXPECT_EQ(files, 0);
}

TEST(InterruptedReport, SigtermGives143AndEveryFormatSaysPartial) {
  TempDir dir;
  SilentServer camera;
  ASSERT_NE(camera.port(), 0);
  for (const char* format : {"csv", "table", "html"}) {
    const std::string out = dir / (std::string("report.") + format);
    std::vector<std::string> args = {"--jobs", "1",        "--timeout", "60",       "--stream-seconds",
                                     "60",     "--format", format,      "--output", out};
    for (auto& i : inputs(dir, camera.port())) args.push_back(i);
    const Interrupted run = interrupt_check(args, out, SIGTERM, std::chrono::milliseconds(3000));
    EXPECT_EQ(run.exit_code, 143) << format;
    const std::string text = read_file(out);
    const char* marker = std::string(format) == "csv" ? "# partial: interrupted by SIGTERM after 3 of 5 inputs"
                         : std::string(format) == "table"
                             ? "PARTIAL REPORT: interrupted by SIGTERM after 3 of 5 inputs"
                             : "<b>Partial report:</b> interrupted by SIGTERM after 3 of 5";
    EXPECT_NE(text.find(marker), std::string::npos) << format << ":\n" << text;
  }
}

TEST(InterruptedReport, ScanToo) {
  TempDir dir;
  SilentServer camera;  // answers TCP, never RTSP: the scan waits out its timeout
  ASSERT_NE(camera.port(), 0);
  const std::string out = dir / "scan.json";
  write_file(out, std::string("previous\n"));
  std::vector<const char*> argv = {FOCUSMETER_EXE, "scan",     "--port",    nullptr,     "--timeout",
                                   "60",           "--output", out.c_str(), "127.0.0.1", nullptr};
  const std::string port = std::to_string(camera.port());
  argv[3] = port.c_str();
  GPid pid = 0;
  ASSERT_TRUE(g_spawn_async(nullptr, const_cast<gchar**>(argv.data()), nullptr,
                            static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL), nullptr,
                            nullptr, &pid, nullptr));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(read_file(out), "previous\n");
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  g_spawn_close_pid(pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const json report = json::parse(read_file(out));
  EXPECT_EQ(report["partial"], true);
  EXPECT_EQ(report["interrupted"], "interrupted by SIGINT after 0 of 1 targets");
  EXPECT_EQ(report["results"].size(), 0u);
  EXPECT_EQ(report["summary"]["targets"], 0);
}

}  // namespace
