// `focusmeter serve` under descriptor exhaustion: run with an open-file
// limit of 64 (prlimit), flood it with idle connections until accept()
// fails or the connection cap is reached, close them, and /healthz must
// answer 200 again. Idle connections are not requests in flight: SIGTERM
// with a hundred of them open reports 0 in flight.
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Server {
  GPid pid = 0;
  int port = 0;
  int err_fd = -1;
  std::string first_line;
};

// Starts `prlimit --nofile=64:64 focusmeter serve --listen 127.0.0.1:0 EXTRA...`
// and reads the port from its first line.
Server start_server(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"prlimit", "--nofile=64:64", FOCUSMETER_EXE, "serve", "--listen", "127.0.0.1:0"};
  for (const auto& e : extra) args.push_back(e);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  Server s;
  int out_fd = -1;
  g_autoptr(GError) error = nullptr;
  if (!g_spawn_async_with_pipes(nullptr, const_cast<gchar**>(argv.data()), nullptr,
                                static_cast<GSpawnFlags>(G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD), nullptr,
                                nullptr, &s.pid, nullptr, &out_fd, &s.err_fd, &error))
    return s;
  FILE* out = fdopen(out_fd, "r");
  char line[512] = {};
  if (out && std::fgets(line, sizeof line, out)) s.first_line = line;
  if (out) std::fclose(out);
  const auto at = s.first_line.find("http://127.0.0.1:");
  if (at != std::string::npos) s.port = std::atoi(s.first_line.c_str() + at + 17);
  return s;
}

std::string stop_server(Server& s) {
  kill(s.pid, SIGTERM);
  int status = 0;
  waitpid(s.pid, &status, 0);
  g_spawn_close_pid(s.pid);
  std::string err;
  char buf[4096];
  for (ssize_t n; (n = read(s.err_fd, buf, sizeof buf)) > 0;) err.append(buf, static_cast<std::size_t>(n));
  close(s.err_fd);
  return err;
}

GSocket* connect_to(int port, guint timeout_s = 20) {
  GSocket* sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) lo = g_inet_address_new_from_string("127.0.0.1");
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, static_cast<guint16>(port));
  g_socket_set_timeout(sock, timeout_s);
  if (!g_socket_connect(sock, addr, nullptr, nullptr)) {
    g_object_unref(sock);
    return nullptr;
  }
  return sock;
}

// The status line of GET /healthz on a new connection ("" on failure).
std::string healthz(int port) {
  GSocket* sock = connect_to(port);
  if (!sock) return "";
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string reply;
  if (g_socket_send(sock, request.data(), request.size(), nullptr, nullptr) == static_cast<gssize>(request.size())) {
    char buf[1024];
    for (gssize n; (n = g_socket_receive(sock, buf, sizeof buf, nullptr, nullptr)) > 0;)
      reply.append(buf, static_cast<std::size_t>(n));
  }
  g_socket_close(sock, nullptr);
  g_object_unref(sock);
  return reply.substr(0, reply.find("\r\n"));
}

// Returns the server's stderr.
std::string flood_then_recover(const std::vector<std::string>& extra) {
  Server s = start_server(extra);
  EXPECT_NE(s.port, 0) << s.first_line;
  if (s.port == 0) return "";
  EXPECT_EQ(healthz(s.port), "HTTP/1.1 200 OK");
  std::vector<GSocket*> idle;
  for (int i = 0; i < 150; ++i) {
    GSocket* c = connect_to(s.port, 2);
    if (!c) break;  // the backlog is full too
    idle.push_back(c);
  }
  EXPECT_EQ(idle.size(), 150u);  // far more than the server can hold open: the rest wait in the backlog
  g_usleep(500 * 1000);          // let it run into its limit
  for (GSocket* c : idle) {
    g_socket_close(c, nullptr);
    g_object_unref(c);
  }
  EXPECT_EQ(healthz(s.port), "HTTP/1.1 200 OK");
  EXPECT_EQ(healthz(s.port), "HTTP/1.1 200 OK");
  return stop_server(s);
}

TEST(ServeDescriptors, AcceptsAgainAfterRunningOutOfDescriptors) {
  // A cap above the limit: accept() itself fails with EMFILE.
  const std::string err = flood_then_recover({"--max-connections", "1000"});
  EXPECT_NE(err.find("Error accepting connection: Too many open files; retrying"), std::string::npos) << err;
}

TEST(ServeDescriptors, TheDefaultCapStaysBelowTheLimit) {
  // The cap (64 - 16 = 48 connections) keeps accept() from ever failing.
  const std::string err = flood_then_recover({});
  EXPECT_EQ(err.find("Error accepting"), std::string::npos) << err;
}

TEST(ServeDescriptors, IdleConnectionsAreNotInFlightAtShutdown) {
  Server s = start_server({});
  ASSERT_NE(s.port, 0) << s.first_line;
  std::vector<GSocket*> idle;
  for (int i = 0; i < 10; ++i)
    if (GSocket* c = connect_to(s.port)) idle.push_back(c);
  ASSERT_EQ(healthz(s.port), "HTTP/1.1 200 OK");  // the idle ones are accepted by now
  const std::string err = stop_server(s);
  EXPECT_NE(err.find("finishing 0 requests in flight"), std::string::npos) << err;
  EXPECT_EQ(err.find("still running"), std::string::npos) << err;
  for (GSocket* c : idle) g_object_unref(c);
}

}  // namespace
