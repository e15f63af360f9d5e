#include "scan/routes.h"

#include <glib.h>

#include <regex>

namespace focusmeter::scan {

namespace {

struct BrandRoutes {
  const char* brand;
  const char* main_path;
  const char* sub_path;  // nullptr: the brand has no substream route here
};

// Main-stream paths as documented by each vendor; 3xlogic cameras answer on
// the Hikvision path and on their own /CH001 (the original tool's only URL).
constexpr BrandRoutes kBrands[] = {
    {"hikvision", "/Streaming/Channels/101", "/Streaming/Channels/102"},
    {"3xlogic", "/CH001", nullptr},
    {"dahua", "/cam/realmonitor?channel=1&subtype=0", "/cam/realmonitor?channel=1&subtype=1"},
    {"axis", "/axis-media/media.amp", nullptr},
    {"reolink", "/h264Preview_01_main", "/h264Preview_01_sub"},
    {"hanwha", "/profile2/media.smp", nullptr},
    {"uniview", "/unicast/c1/s0/live", "/unicast/c1/s1/live"},
};

// Brands that share another's routes.
struct Alias {
  const char* name;
  const char* brand;
};
constexpr Alias kAliases[] = {{"amcrest", "dahua"}};

Route make_route(const BrandRoutes& b, const char* shown_brand, bool substream) {
  const char* path = substream && b.sub_path ? b.sub_path : b.main_path;
  return Route{shown_brand, std::string("rtsp://{host}:{port}") + path};
}

}  // namespace

const std::vector<std::string>& known_brands() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& b : kBrands) n.emplace_back(b.brand);
    for (const auto& a : kAliases) n.emplace_back(a.name);
    return n;
  }();
  return names;
}

std::optional<std::vector<Route>> routes_for_brand(std::string_view brand, bool substream) {
  std::vector<Route> routes;
  if (brand == "auto") {
    for (const auto& b : kBrands) routes.push_back(make_route(b, b.brand, substream));
    // 3xlogic also answers on the Hikvision path, tried first anyway.
    return routes;
  }
  std::string_view target = brand;
  for (const auto& a : kAliases)
    if (brand == a.name) target = a.brand;
  for (const auto& b : kBrands)
    if (target == b.brand) {
      routes.push_back(make_route(b, std::string(brand).c_str(), substream));
      if (target == "3xlogic") routes.push_back(make_route(kBrands[0], "3xlogic", substream));
      return routes;
    }
  return std::nullopt;
}

std::string validate_template(const std::string& tmpl) {
  if (tmpl.rfind("rtsp://", 0) != 0 && tmpl.rfind("rtsps://", 0) != 0) return "must start with rtsp://";
  if (tmpl.find("{host}") == std::string::npos) return "must contain {host}";
  static const std::regex placeholder(R"(\{([^}]*)\})");
  for (auto it = std::sregex_iterator(tmpl.begin(), tmpl.end(), placeholder); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    if (name != "host" && name != "port") return "unknown placeholder {" + name + "} (only {host} and {port})";
  }
  if (tmpl.find('@') != std::string::npos) return "must not carry credentials (use --user and --password-file)";
  return {};
}

std::string expand_template(const std::string& tmpl, const std::string& host, int port) {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl.compare(i, 6, "{host}") == 0) {
      out += h;
      i += 6;
    } else if (tmpl.compare(i, 6, "{port}") == 0) {
      out += std::to_string(port);
      i += 6;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

}  // namespace focusmeter::scan
