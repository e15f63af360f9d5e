#include "watch/command_hook_sink.h"

#include <gio/gio.h>
#include <signal.h>

#include <deque>
#include <vector>

#include "watch/glib_ptr.h"

namespace focusmeter::watch {

namespace {

struct Job {
  std::string body;
  std::string what;
  unsigned attempt = 0;
};

}  // namespace

struct CommandHookSink::Impl {
  CommandHookConfig config;
  AlertLog log;
  std::vector<std::string> argv;
  GMainContextPtr context;
  GObjectPtr<GCancellable> cancel;
  std::deque<Job> jobs;  // front() is the one running or waiting to retry
  GObjectPtr<GSubprocess> process;
  GSourcePtr deadline;
  GSourcePtr retry_timer;
  bool timed_out = false;

  ~Impl() {
    g_cancellable_cancel(cancel.get());
    if (process) g_subprocess_force_exit(process.get());
  }

  void start_next();
  void judge();
  void finished(bool delivered, const std::string& why);
  void arm(GSourcePtr& slot, unsigned ms, GSourceFunc fn) {
    slot.reset(g_timeout_source_new(ms));
    g_source_set_callback(slot.get(), fn, this, nullptr);
    g_source_attach(slot.get(), context.get());
  }
};

namespace {

gboolean on_deadline(gpointer data) {
  auto* impl = static_cast<CommandHookSink::Impl*>(data);
  impl->timed_out = true;
  if (impl->process) g_subprocess_force_exit(impl->process.get());
  impl->deadline.reset();
  return G_SOURCE_REMOVE;
}

gboolean on_retry(gpointer data) {
  auto* impl = static_cast<CommandHookSink::Impl*>(data);
  impl->retry_timer.reset();
  impl->start_next();
  return G_SOURCE_REMOVE;
}

void on_waited(GObject* source, GAsyncResult* result, gpointer data) {
  g_autoptr(GError) err = nullptr;
  g_subprocess_wait_finish(G_SUBPROCESS(source), result, &err);
  if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;  // the sink is gone
  static_cast<CommandHookSink::Impl*>(data)->judge();
}

void on_communicated(GObject* source, GAsyncResult* result, gpointer data) {
  g_autoptr(GError) err = nullptr;
  g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), result, nullptr, nullptr, &err);
  if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;  // the sink is gone
  auto* impl = static_cast<CommandHookSink::Impl*>(data);
  if (err && !g_error_matches(err, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)) {
    impl->finished(false, err->message);
    return;
  }
  // A hook that exits without reading all of stdin is judged by its exit
  // status alone, once it has one.
  if (err) {
    g_subprocess_wait_async(G_SUBPROCESS(source), impl->cancel.get(), on_waited, impl);
    return;
  }
  impl->judge();
}

}  // namespace

void CommandHookSink::Impl::start_next() {
  if (process || retry_timer || jobs.empty()) return;
  Job& job = jobs.front();
  ++job.attempt;
  timed_out = false;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE));
  std::vector<const char*> args;
  for (const std::string& a : argv) args.push_back(a.c_str());
  args.push_back(nullptr);
  g_autoptr(GError) err = nullptr;
  process.reset(g_subprocess_launcher_spawnv(launcher, args.data(), &err));
  if (!process) {
    finished(false, err->message);
    return;
  }
  arm(deadline, config.timeout_ms, on_deadline);
  g_subprocess_communicate_utf8_async(process.get(), job.body.c_str(), cancel.get(), on_communicated, this);
}

void CommandHookSink::Impl::judge() {
  deadline.reset();
  GSubprocess* p = process.get();
  if (timed_out) {
    finished(false, "timed out after " + std::to_string(config.timeout_ms) + " ms (killed)");
  } else if (g_subprocess_get_if_exited(p) && g_subprocess_get_exit_status(p) == 0) {
    finished(true, "");
  } else if (g_subprocess_get_if_exited(p)) {
    finished(false, "exit status " + std::to_string(g_subprocess_get_exit_status(p)));
  } else {
    finished(false, "killed by signal " + std::to_string(g_subprocess_get_term_sig(p)));
  }
}

void CommandHookSink::Impl::finished(bool delivered, const std::string& why) {
  process.reset();
  deadline.reset();
  Job& job = jobs.front();
  if (delivered) {
    jobs.pop_front();
  } else if (job.attempt >= config.retry.max_attempts) {
    log("command hook " + argv[0] + ": dropped the " + job.what + " after " + std::to_string(job.attempt) +
        " attempts (last: " + why + ")");
    jobs.pop_front();
  } else {
    const unsigned delay = config.retry.delay_ms(job.attempt);
    log("command hook " + argv[0] + ": attempt " + std::to_string(job.attempt) + " of the " + job.what + " failed (" +
        why + "); retrying in " + std::to_string(delay) + " ms");
    arm(retry_timer, delay, on_retry);
    return;
  }
  start_next();
}

CommandHookSink::CommandHookSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CommandHookSink::~CommandHookSink() = default;

std::unique_ptr<CommandHookSink> CommandHookSink::create(const CommandHookConfig& config, AlertLog log,
                                                         std::string& error) {
  int argc = 0;
  g_auto(GStrv) argv = nullptr;
  g_autoptr(GError) err = nullptr;
  if (config.command.empty() || !g_shell_parse_argv(config.command.c_str(), &argc, &argv, &err)) {
    error = "command hook: cannot split the command" + (err ? ": " + std::string(err->message) : std::string());
    return nullptr;
  }
  // A hook that closes its stdin early must not kill the watch with SIGPIPE
  // (GIO writes to the pipe with plain write()); left alone when someone
  // already installed a handler.
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);

  auto impl = std::make_unique<Impl>();
  impl->config = config;
  if (impl->config.retry.max_attempts < 1) impl->config.retry.max_attempts = 1;
  impl->log = log ? std::move(log) : default_alert_log();
  for (int i = 0; i < argc; ++i) impl->argv.emplace_back(argv[i]);
  impl->context.reset(g_main_context_ref_thread_default());
  impl->cancel.reset(g_cancellable_new());
  return std::unique_ptr<CommandHookSink>(new CommandHookSink(std::move(impl)));
}

void CommandHookSink::submit(const AlertEvent& event) {
  Job job;
  job.body = alert_event_json(event);
  job.what = std::string(event.event == Transition::Type::Open ? "open " : "close ") + incident_kind_name(event.kind) +
             " event of incident " + std::to_string(event.incident_id);
  impl_->jobs.push_back(std::move(job));
  impl_->start_next();
}

std::size_t CommandHookSink::pending() const { return impl_->jobs.size(); }

}  // namespace focusmeter::watch
