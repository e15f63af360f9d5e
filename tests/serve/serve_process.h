// Test helpers: a real `focusmeter serve` child process on 127.0.0.1 with a
// kernel-chosen port (--listen 127.0.0.1:0; the port is read from its first
// stdout line), and a small synchronous libsoup client.
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace serve_test {

std::string test_model_path();  // tests/models/serve-model.json

class ServeProcess {
 public:
  // Starts `focusmeter serve --listen 127.0.0.1:0 ARGS...` and waits for
  // its "listening on URL" line. `env` entries are set in the child.
  explicit ServeProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
  ~ServeProcess();

  bool started() const { return !url_.empty(); }
  const std::string& url() const { return url_; }
  // SIGTERM, then wait; returns the exit status (-1 if killed by a signal).
  int terminate_and_wait();
  void send_sigterm();
  int wait();
  // What the child wrote on stderr so far.
  std::string stderr_text() const;

 private:
  GSubprocess* proc_ = nullptr;
  std::string url_;
  std::string stderr_path_;
  bool exited_ = false;
  int status_ = -1;
};

// Runs a command to completion; returns its exit status, fills stderr.
int run_command(const std::vector<std::string>& argv, std::string& err,
                const std::map<std::string, std::string>& env = {});

struct Reply {
  guint status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string transport_error;                 // set when no HTTP reply came back
  std::size_t uploaded = 0;                    // request body bytes the client wrote
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;
  bool chunked = false;          // send the body with no Content-Length
  bool expect_continue = false;  // send "Expect: 100-continue"
};

// One client with its own connection pool; use one per thread.
class Client {
 public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Reply send(const Request& r);
  Reply get(const std::string& url) { return send({"GET", url, "", "", {}, false, false}); }
  Reply post(const std::string& url, const std::string& body, const std::string& type = "application/json") {
    return send({"POST", url, body, type, {}, false, false});
  }

 private:
  SoupSession* session_;
};

}  // namespace serve_test
