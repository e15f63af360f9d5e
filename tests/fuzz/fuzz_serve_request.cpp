// libFuzzer: what serve checks in a request before and while answering it:
// the /v1/predict body, the Authorization and Content-Type headers and the
// --listen address. Every answer is a status with a JSON body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "focusmeter/model.h"
#include "serve/api.h"
#include "serve/listen_address.h"
#include "serve/request_checks.h"

namespace {

const focusmeter::Model& model() {
  static const focusmeter::Model m = focusmeter::Model::from_json_text(
      R"({"format": "focusmeter-model", "version": 1, "name": "fuzz",
          "features": [
            {"name": "laplacian_variance", "transform": "log", "offset": 1e-6, "mean": -6.0, "std": 2.0},
            {"name": "noise_sigma", "mean": 0.01, "std": 0.02}],
          "classifier": {"type": "logistic_regression", "coefficients": [-2.0, 0.3], "intercept": 0.0},
          "threshold": 0.5})",
      "fuzz-model.json");
  return m;
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
