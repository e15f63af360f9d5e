// libFuzzer: the model loader's public API. Bad text is a ModelError with a
// reason; anything else escaping (nlohmann's exceptions, a crash, a stack
// overflow from deep nesting) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "focusmeter/model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const focusmeter::Model m = focusmeter::Model::from_json_text(text, "fuzz.json");
    (void)m.threshold();
  } catch (const focusmeter::ModelError& e) {
    if (std::string(e.what()).empty()) std::abort();
  }
  return 0;
}
