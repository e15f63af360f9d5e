// libFuzzer: scan's target parser (addresses, CIDR blocks, ranges, host
// names, URLs). Bad text is a TargetError naming the culprit.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scan/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const focusmeter::scan::TargetSpec spec = focusmeter::scan::parse_target(text);
    (void)spec.count();
  } catch (const focusmeter::scan::TargetError&) {
  }
  return 0;
}
