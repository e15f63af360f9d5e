// `scan --format jsonl` output read back in the integration tests: one
// result per line, keyed by its host.
#pragma once

#include <map>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"

namespace focusmeter_test {

inline std::map<std::string, nlohmann::json> jsonl_by_host(const std::string& out) {
  std::map<std::string, nlohmann::json> by_host;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) {
      const auto r = nlohmann::json::parse(line);
      by_host[r["host"].get<std::string>()] = r;
    }
  return by_host;
}

}  // namespace focusmeter_test
