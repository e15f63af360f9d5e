// `scan --format jsonl` output read back in the integration tests: one
// result per line, keyed by one of its string fields (host, target).
#pragma once

#include <map>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"

namespace focusmeter_test {

inline std::map<std::string, nlohmann::json> jsonl_by(const std::string& out, const std::string& key) {
  std::map<std::string, nlohmann::json> by_key;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) {
      const auto r = nlohmann::json::parse(line);
      by_key[r[key].get<std::string>()] = r;
    }
  return by_key;
}

inline std::map<std::string, nlohmann::json> jsonl_by_host(const std::string& out) { return jsonl_by(out, "host"); }

}  // namespace focusmeter_test
