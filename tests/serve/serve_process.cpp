#include "serve_process.h"

#include <glib/gstdio.h>

#include <csignal>
#include <fstream>
#include <sstream>

namespace serve_test {

std::string test_model_path() { return std::string(FOCUSMETER_TEST_DATA) + "/models/serve-model.json"; }

namespace {

GSubprocessLauncher* launcher_with(const std::map<std::string, std::string>& env, GSubprocessFlags flags) {
  GSubprocessLauncher* l = g_subprocess_launcher_new(flags);
  for (const auto& [k, v] : env) g_subprocess_launcher_setenv(l, k.c_str(), v.c_str(), TRUE);
  return l;
}

std::vector<const char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<const char*> out;
  for (const auto& a : argv) out.push_back(a.c_str());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ServeProcess::ServeProcess(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {FOCUSMETER_BIN, "serve", "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  g_autofree char* tmpl = g_build_filename(g_get_tmp_dir(), "serve-test-stderr-XXXXXX", nullptr);
  const int fd = g_mkstemp(tmpl);
  if (fd >= 0) close(fd);
  stderr_path_ = tmpl;

  g_autoptr(GSubprocessLauncher) l = launcher_with(env, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path(l, stderr_path_.c_str());
  g_autoptr(GError) err = nullptr;
  const auto cargv = c_argv(argv);
  proc_ = g_subprocess_launcher_spawnv(l, cargv.data(), &err);
  if (!proc_) {
    g_printerr("cannot start %s: %s\n", FOCUSMETER_BIN, err->message);
    return;
  }
  g_autoptr(GDataInputStream) out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(proc_));
  g_autofree char* line = g_data_input_stream_read_line(out, nullptr, nullptr, nullptr);
  const std::string text = line ? line : "";
  const std::string marker = "listening on ";
  const auto at = text.find(marker);
  if (at == std::string::npos) {
    g_printerr("focusmeter serve did not start: stdout '%s', stderr '%s'\n", text.c_str(), stderr_text().c_str());
    return;
  }
  const auto start = at + marker.size();
  url_ = text.substr(start, text.find(' ', start) - start);
}

ServeProcess::~ServeProcess() {
  if (proc_) {
    if (!exited_) terminate_and_wait();
    g_object_unref(proc_);
  }
  if (!stderr_path_.empty()) g_unlink(stderr_path_.c_str());
}

void ServeProcess::send_sigterm() {
  if (proc_ && !exited_) g_subprocess_send_signal(proc_, SIGTERM);
}

int ServeProcess::wait() {
  if (!proc_) return -1;
  if (!exited_) {
    g_subprocess_wait(proc_, nullptr, nullptr);
    exited_ = true;
    status_ = g_subprocess_get_if_exited(proc_) ? g_subprocess_get_exit_status(proc_) : -1;
  }
  return status_;
}

int ServeProcess::terminate_and_wait() {
  send_sigterm();
  return wait();
}

std::string ServeProcess::stderr_text() const {
  std::ifstream in(stderr_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int run_command(const std::vector<std::string>& argv, std::string& err_text,
                const std::map<std::string, std::string>& env) {
  g_autoptr(GSubprocessLauncher) l = launcher_with(
      env, static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE));
  g_autoptr(GError) err = nullptr;
  const auto cargv = c_argv(argv);
  g_autoptr(GSubprocess) p = g_subprocess_launcher_spawnv(l, cargv.data(), &err);
  if (!p) {
    err_text = err->message;
    return -1;
  }
  g_autofree char* errbuf = nullptr;
  g_subprocess_communicate_utf8(p, nullptr, nullptr, nullptr, &errbuf, nullptr);
  err_text = errbuf ? errbuf : "";
  return g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : -1;
}

Client::Client() : session_(soup_session_new_with_options("timeout", 60, "idle-timeout", 60, nullptr)) {}
Client::~Client() { g_object_unref(session_); }

Reply Client::send(const Request& r) {
  Reply reply;
  g_autoptr(SoupMessage) msg = soup_message_new(r.method.c_str(), r.url.c_str());
  if (!msg) {
    reply.transport_error = "bad URL " + r.url;
    return reply;
  }
  SoupMessageHeaders* req = soup_message_get_request_headers(msg);
  for (const auto& [k, v] : r.headers) soup_message_headers_replace(req, k.c_str(), v.c_str());
  if (r.expect_continue) soup_message_headers_set_expectations(req, SOUP_EXPECTATION_CONTINUE);
  if (r.method == "POST") {
    const char* type = r.content_type.empty() ? nullptr : r.content_type.c_str();
    g_autoptr(GBytes) bytes = g_bytes_new(r.body.data(), r.body.size());
    if (r.chunked) {
      g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes(bytes);
      soup_message_set_request_body(msg, type, in, -1);
    } else {
      soup_message_set_request_body_from_bytes(msg, type, bytes);
    }
  }
  g_signal_connect(msg, "wrote-body-data",
                   G_CALLBACK(+[](SoupMessage*, guint n, gpointer data) { *static_cast<std::size_t*>(data) += n; }),
                   &reply.uploaded);
  g_autoptr(GError) err = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read(session_, msg, nullptr, &err);
  if (!body) {
    reply.transport_error = err ? err->message : "no reply";
    return reply;
  }
  reply.status = soup_message_get_status(msg);
  gsize n = 0;
  const auto* data = static_cast<const char*>(g_bytes_get_data(body, &n));
  reply.body.assign(data ? data : "", n);
  SoupMessageHeadersIter it;
  soup_message_headers_iter_init(&it, soup_message_get_response_headers(msg));
  const char *name, *value;
  while (soup_message_headers_iter_next(&it, &name, &value)) {
    g_autofree char* lower = g_ascii_strdown(name, -1);
    reply.headers[lower] = value;
  }
  return reply;
}

}  // namespace serve_test
