// libFuzzer: what serve checks in a request before and while answering it:
// the /v1/predict body, the Authorization and Content-Type headers and the
// --listen address. Every answer is a status with a JSON body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "focusmeter/model.h"
#include "serve/api.h"
#include "serve/listen_address.h"
#include "serve/request_checks.h"

namespace {

// The shipped model, compiled in: a model the service really runs (a
// hand-written one here went stale when the model format moved on).
const focusmeter::Model& model() {
  static const std::shared_ptr<const focusmeter::Model> m = focusmeter::default_model();
  return *m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const focusmeter::serve::ApiResponse r = focusmeter::serve::predict(model(), text);
  if (r.status < 200 || r.status > 599 || r.body.empty()) std::abort();
  (void)focusmeter::serve::bearer_token_matches(text.c_str(), "0123456789abcdef0123");
  (void)focusmeter::serve::is_image_content_type(text.c_str());
  focusmeter::serve::ListenAddress address;
  std::string error;
  if (!focusmeter::serve::parse_listen_address(text, address, error) && error.empty()) std::abort();
  return 0;
}
