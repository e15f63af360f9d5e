#include "watch/webhook_sink.h"

#include <libsoup/soup.h>

#include <list>

#include "cli/secret_file.h"
#include "cli/url.h"
#include "watch/glib_ptr.h"

namespace focusmeter::watch {

namespace {

std::string what_of(const AlertEvent& e) {
  return std::string(e.event == Transition::Type::Open ? "open " : "close ") + incident_kind_name(e.kind) +
         " event of incident " + std::to_string(e.incident_id);
}

}  // namespace

// One event on its way: the body, how many attempts were made, and the
// back-off timer while it waits for the next one.
struct Delivery {
  WebhookSink::Impl* impl = nullptr;
  std::string body;
  std::string what;
  unsigned attempt = 0;
  GSourcePtr timer;
  GObjectPtr<SoupMessage> message;
};

struct WebhookSink::Impl {
  WebhookConfig config;
  AlertLog log;
  std::string token;
  std::string shown_url;  // without credentials, for log lines
  GMainContextPtr context;
  GObjectPtr<SoupSession> session;
  GObjectPtr<GCancellable> cancel;
  std::list<std::unique_ptr<Delivery>> deliveries;  // in order; only front() is in flight

  ~Impl() {
    // Pending requests finish (cancelled) on a later iteration; their
    // callback sees G_IO_ERROR_CANCELLED and touches nothing of ours.
    g_cancellable_cancel(cancel.get());
    deliveries.clear();
  }

  void attempt(Delivery* d);
  void finished(Delivery* d, bool delivered, const std::string& why);
  // Done with the front event (delivered or dropped): the next one starts.
  // One at a time keeps events in order: a receiver never sees a close
  // before its open.
  void forget(Delivery* d) {
    deliveries.remove_if([d](const std::unique_ptr<Delivery>& p) { return p.get() == d; });
    if (!deliveries.empty() && deliveries.front()->attempt == 0) attempt(deliveries.front().get());
  }
};

namespace {

void on_response(GObject* source, GAsyncResult* result, gpointer data) {
  g_autoptr(GError) err = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &err);
  if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;  // the sink is gone
  auto* d = static_cast<Delivery*>(data);
  if (err) {
    d->impl->finished(d, false, err->message);
    return;
  }
  const guint status = soup_message_get_status(d->message.get());
  if (status >= 200 && status < 300) {
    d->impl->finished(d, true, "");
  } else {
    d->impl->finished(d, false, "HTTP " + std::to_string(status));
  }
}

gboolean on_timer(gpointer data) {
  auto* d = static_cast<Delivery*>(data);
  // Release the (already firing) source before the next attempt; the
  // destroyer's g_source_destroy on a firing source is harmless.
  d->timer.reset();
  d->impl->attempt(d);
  return G_SOURCE_REMOVE;
}

}  // namespace

void WebhookSink::Impl::attempt(Delivery* d) {
  ++d->attempt;
  d->message.reset(soup_message_new(SOUP_METHOD_POST, config.url.c_str()));
  if (!d->message) {  // create() checked the URL; kept so a bad one is never a crash
    finished(d, false, "cannot build a request for " + shown_url);
    return;
  }
  g_autoptr(GBytes) bytes = g_bytes_new(d->body.data(), d->body.size());
  soup_message_set_request_body_from_bytes(d->message.get(), "application/json", bytes);
  if (!token.empty()) {
    const std::string value = "Bearer " + token;
    soup_message_headers_replace(soup_message_get_request_headers(d->message.get()), "Authorization", value.c_str());
  }
  soup_session_send_and_read_async(session.get(), d->message.get(), G_PRIORITY_DEFAULT, cancel.get(), on_response, d);
}

void WebhookSink::Impl::finished(Delivery* d, bool delivered, const std::string& why) {
  if (delivered) {
    forget(d);
    return;
  }
  // libsoup's messages may quote the URL; scrub what create() redacted.
  std::string reason = why;
  if (const auto u = cli::parse_url(config.url)) reason = cli::scrub_secret(reason, u->password);
  reason = cli::scrub_secret(reason, token);
  if (d->attempt >= config.retry.max_attempts) {
    log("webhook " + shown_url + ": dropped the " + d->what + " after " + std::to_string(d->attempt) +
        " attempts (last: " + reason + ")");
    forget(d);
    return;
  }
  const unsigned delay = config.retry.delay_ms(d->attempt);
  log("webhook " + shown_url + ": attempt " + std::to_string(d->attempt) + " of the " + d->what + " failed (" + reason +
      "); retrying in " + std::to_string(delay) + " ms");
  d->timer.reset(g_timeout_source_new(delay));
  g_source_set_callback(d->timer.get(), on_timer, d, nullptr);
  g_source_attach(d->timer.get(), context.get());
}

WebhookSink::WebhookSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebhookSink::~WebhookSink() = default;

std::unique_ptr<WebhookSink> WebhookSink::create(const WebhookConfig& config, AlertLog log, std::string& error) {
  const auto url = cli::parse_url(config.url);
  if (!url || (url->scheme != "http" && url->scheme != "https")) {
    error = "webhook: not an http(s) URL";  // the text may hold a password: not echoed
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  if (impl->config.retry.max_attempts < 1) impl->config.retry.max_attempts = 1;
  impl->log = log ? std::move(log) : default_alert_log();
  impl->shown_url = url->bare;
  if (!config.token_file.empty()) {
    if (!cli::read_secret_file(config.token_file, impl->token, error)) return nullptr;
    const auto first = impl->token.find_first_not_of(" \t\r");
    const auto last = impl->token.find_last_not_of(" \t\r");
    impl->token = first == std::string::npos ? "" : impl->token.substr(first, last - first + 1);
    if (impl->token.empty()) {
      error = "webhook: the token file " + config.token_file + " is empty";
      return nullptr;
    }
  }
  impl->context.reset(g_main_context_ref_thread_default());
  impl->session.reset(
      soup_session_new_with_options("timeout", config.timeout_s, "user-agent", "focusmeter-watch", nullptr));
  impl->cancel.reset(g_cancellable_new());
  return std::unique_ptr<WebhookSink>(new WebhookSink(std::move(impl)));
}

void WebhookSink::submit(const AlertEvent& event) {
  auto d = std::make_unique<Delivery>();
  d->impl = impl_.get();
  d->body = alert_event_json(event);
  d->what = what_of(event);
  Delivery* raw = d.get();
  impl_->deliveries.push_back(std::move(d));
  if (impl_->deliveries.size() == 1) impl_->attempt(raw);
}

std::size_t WebhookSink::pending() const { return impl_->deliveries.size(); }

}  // namespace focusmeter::watch
