// libFuzzer: the --cameras file reader, JSON and CSV. Bad text is one
// TargetError; nothing from nlohmann escapes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scan/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)focusmeter::scan::parse_cameras_json(text, "fuzz.json");
  } catch (const focusmeter::scan::TargetError&) {
  }
  try {
    (void)focusmeter::scan::parse_cameras_csv(text, "fuzz.csv");
  } catch (const focusmeter::scan::TargetError&) {
  }
  return 0;
}
