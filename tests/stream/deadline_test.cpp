// A deadline is a deadline: a peer that accepts and then trickles bytes
// forever (an RTSP answer whose header never ends, or bytes before any
// answer) holds a camera check no longer than --timeout plus a small margin,
// in scan and in check rtsp://. The peers are tiny loopback TCP servers run
// by the test itself.
#include <gio/gio.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <sstream>
#include <thread>

#include "../common/fake_farm.h"
#include "nlohmann/json.hpp"

namespace {

using focusmeter_test::run_focusmeter;

// Accepts connections on 127.0.0.1 and trickles bytes on each: with
// `header`, first reads the request and starts an RTSP answer whose header
// never ends; otherwise sends bytes that never make an answer.
class TricklingPeer {
 public:
  explicit TricklingPeer(bool header) : header_(header) {
    service_ = g_threaded_socket_service_new(8);
    g_autoptr(GInetAddress) lo = g_inet_address_new_from_string("127.0.0.1");
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    g_autoptr(GSocketAddress) bound = nullptr;
    if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service_), any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                       nullptr, &bound, nullptr))
      return;
    port_ = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_signal_connect(service_, "run", G_CALLBACK(on_run), this);
    g_socket_service_start(service_);
  }
  ~TricklingPeer() {
    stop_ = true;
    g_socket_service_stop(service_);
    g_socket_listener_close(G_SOCKET_LISTENER(service_));
    while (active_ > 0) g_usleep(10000);  // each connection's thread sees stop_ within 100 ms
    g_object_unref(service_);
  }
  int port() const { return port_; }

 private:
  static gboolean on_run(GThreadedSocketService*, GSocketConnection* conn, GObject*, gpointer data) {
    auto* self = static_cast<TricklingPeer*>(data);
    ++self->active_;
    GOutputStream* out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
    if (self->header_) {
      char buf[2048];
      g_socket_set_timeout(g_socket_connection_get_socket(conn), 2);
      g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(conn)), buf, sizeof buf, nullptr, nullptr);
      static const char kStart[] = "RTSP/1.0 200 OK\r\nCSeq: 1\r\n";
      g_output_stream_write_all(out, kStart, sizeof kStart - 1, nullptr, nullptr, nullptr);
    }
    const char* drip = self->header_ ? "X-Pad: a\r\n" : "a";
    while (!self->stop_ && g_output_stream_write_all(out, drip, std::strlen(drip), nullptr, nullptr, nullptr))
      g_usleep(100000);
    --self->active_;
    return TRUE;
  }

  bool header_;
  GSocketService* service_ = nullptr;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> active_{0};
};

TEST(Deadline, TricklingPeersCannotHoldACheck) {
  for (const bool header : {true, false}) {
    SCOPED_TRACE(header ? "endless RTSP header" : "bytes before any answer");
    TricklingPeer peer(header);
    ASSERT_GT(peer.port(), 0);
    const std::string port = std::to_string(peer.port());

    const auto scan = run_focusmeter({"scan", "--no-model", "--port", port, "--timeout", "2", "--probe-timeout", "1",
                                      "--format", "jsonl", "127.0.0.1"});
    EXPECT_LE(scan.seconds, 1 + 2 + 2.5) << "probe + --timeout + margin; " << scan.out << scan.err;
    const auto r = nlohmann::json::parse(scan.out, nullptr, false);
    ASSERT_FALSE(r.is_discarded()) << scan.out << scan.err;
    EXPECT_EQ(r.value("status", ""), "timeout") << scan.out;
    EXPECT_LE(r.value("elapsed_ms", 1e9), 3000.0) << "the camera's own bound: --timeout + 1 s";

    const auto check =
        run_focusmeter({"check", "-m", std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json", "--timeout",
                        "2", "--stream-seconds", "1", "-f", "json", "rtsp://127.0.0.1:" + port + "/cam"});
    EXPECT_LE(check.seconds, 2 + 1 + 2.5) << "--timeout + the watch + margin; " << check.out << check.err;
    const auto k = nlohmann::json::parse(check.out, nullptr, false);
    ASSERT_FALSE(k.is_discarded()) << check.out << check.err;
    EXPECT_EQ(k["results"][0].value("status", ""), "timeout") << check.out;
  }
}

}  // namespace
