// Alerts as HTTP POSTs (libsoup 3): the event JSON (alert_event.h) as an
// application/json body to one URL, optionally with
// "Authorization: Bearer <token>" read from a file. Any 2xx answer is
// delivered; anything else (a transport error, a timeout, 4xx, 5xx) is a
// failure, retried per the RetryPolicy (alert_sink.h). Events go one at a
// time, in order (a close never overtakes its open; an event being retried
// holds back the ones after it until it is delivered or dropped). Log
// lines name the URL without user or password and never quote the token.
#pragma once

#include <memory>
#include <string>

#include "watch/alert_sink.h"

namespace focusmeter::watch {

struct WebhookConfig {
  std::string url;          // http:// or https://
  std::string token_file;   // "" for no Authorization header
  unsigned timeout_s = 10;  // per attempt
  RetryPolicy retry;
};

class WebhookSink : public AlertSink {
 public:
  // Null with a one-line `error` when the URL is not http(s) or the token
  // file cannot be read (or is empty).
  static std::unique_ptr<WebhookSink> create(const WebhookConfig& config, AlertLog log, std::string& error);
  ~WebhookSink() override;

  void submit(const AlertEvent& event) override;
  std::size_t pending() const override;
  const char* name() const override { return "webhook"; }

  struct Impl;

 private:
  explicit WebhookSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace focusmeter::watch
