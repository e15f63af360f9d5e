#include "scan/routes.h"

#include <glib.h>

#include <algorithm>
#include <cstdio>
#include <regex>

namespace focusmeter::scan {

namespace {

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// One brand's stream path for a channel (1-based) and stream. Forms as the
// vendors document them for their NVRs and multi-channel encoders:
//   Hikvision  /Streaming/Channels/<channel>01 (main), <channel>02 (sub)
//   Dahua      /cam/realmonitor?channel=<channel>&subtype=0 (main), 1 (sub)
//   Axis       /axis-media/media.amp?camera=<channel> (video encoders)
//   Reolink    /h264Preview_<channel, 2 digits>_main | _sub
//   Hanwha     /<channel - 1>/profile2/media.smp (multi-channel devices)
//   Uniview    /unicast/c<channel>/s0/live (main), s1 (sub)
// Channel 1 keeps each brand's single-camera form, so a plain camera is
// asked exactly what it was asked before channels existed.
struct BrandRoutes {
  const char* brand;
  bool has_substream;
  std::string (*path)(int channel, bool sub);
};

const BrandRoutes kBrands[] = {
    {"hikvision", true,
     [](int ch, bool sub) { return "/Streaming/Channels/" + std::to_string(ch) + (sub ? "02" : "01"); }},
    // 3xlogic documents /CH001 for its single cameras only; its NVRs answer on
    // the Hikvision form (added below).
    {"3xlogic", false, [](int, bool) { return std::string("/CH001"); }},
    {"dahua", true,
     [](int ch, bool sub) {
       return "/cam/realmonitor?channel=" + std::to_string(ch) + "&subtype=" + (sub ? "1" : "0");
     }},
    {"axis", false,
     [](int ch, bool) {
       return std::string("/axis-media/media.amp") + (ch == 1 ? "" : "?camera=" + std::to_string(ch));
     }},
    {"reolink", true, [](int ch, bool sub) { return "/h264Preview_" + two_digits(ch) + (sub ? "_sub" : "_main"); }},
    {"hanwha", false,
     [](int ch, bool) { return (ch == 1 ? std::string() : "/" + std::to_string(ch - 1)) + "/profile2/media.smp"; }},
    {"uniview", true,
     [](int ch, bool sub) { return "/unicast/c" + std::to_string(ch) + (sub ? "/s1" : "/s0") + "/live"; }},
};

// Brands that share another's routes.
struct Alias {
  const char* name;
  const char* brand;
};
constexpr Alias kAliases[] = {{"amcrest", "dahua"}};

Route make_route(const BrandRoutes& b, const std::string& shown_brand, bool substream, int channel) {
  return Route{shown_brand, "rtsp://{host}:{port}" + b.path(channel, substream && b.has_substream)};
}

}  // namespace

const std::vector<std::string>& known_brands() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& b : kBrands) n.emplace_back(b.brand);
    for (const auto& a : kAliases) n.emplace_back(a.name);
    n.emplace_back("onvif");  // routes asked of the device itself (scan/onvif_client.h)
    return n;
  }();
  return names;
}

std::optional<std::vector<Route>> routes_for_brand(std::string_view brand, bool substream, int channel) {
  std::vector<Route> routes;
  if (brand == "auto") {
    for (const auto& b : kBrands) {
      // Beyond channel 1, 3xlogic's only form is the Hikvision one, tried already.
      if (channel != 1 && g_str_equal(b.brand, "3xlogic")) continue;
      routes.push_back(make_route(b, b.brand, substream, channel));
    }
    // 3xlogic also answers on the Hikvision path, tried first anyway.
    return routes;
  }
  if (brand == "onvif") return routes;  // none to guess: the device says its own
  std::string_view target = brand;
  for (const auto& a : kAliases)
    if (brand == a.name) target = a.brand;
  for (const auto& b : kBrands)
    if (target == b.brand) {
      if (target != "3xlogic" || channel == 1) routes.push_back(make_route(b, std::string(brand), substream, channel));
      if (target == "3xlogic") routes.push_back(make_route(kBrands[0], "3xlogic", substream, channel));
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
    if (name != "host" && name != "port" && name != "channel" && name != "stream")
      return "unknown placeholder {" + name + "} (only {host}, {port}, {channel} and {stream})";
  }
  if (tmpl.find('@') != std::string::npos) return "must not carry credentials (use --user and --password-file)";
  return {};
}

std::string fill_channel(const std::string& tmpl, int channel, bool substream) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl.compare(i, 9, "{channel}") == 0) {
      out += std::to_string(channel);
      i += 9;
    } else if (tmpl.compare(i, 8, "{stream}") == 0) {
      out += substream ? "sub" : "main";
      i += 8;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

std::vector<int> parse_channels(const std::string& text, std::string& error) {
  std::vector<int> channels;
  gchar** parts = g_strsplit(text.c_str(), ",", -1);
  for (gchar** p = parts; *p; ++p) {
    int first = 0, last = 0;
    char tail = 0;
    const std::string item = g_strstrip(*p);
    const bool range = std::sscanf(item.c_str(), "%d-%d%c", &first, &last, &tail) == 2;
    if (!range && std::sscanf(item.c_str(), "%d%c", &first, &tail) == 1) last = first;
    if (!range && last != first) {
      error = "'" + item + "' is not a channel number or range (e.g. 1-16 or 1,3,5-8)";
      break;
    }
    if (first < 1 || last > kMaxChannel || last < first) {
      error = "'" + item + "': channels are 1-" + std::to_string(kMaxChannel) + ", ranges low-high";
      break;
    }
    for (int c = first; c <= last; ++c)
      if (std::find(channels.begin(), channels.end(), c) == channels.end()) channels.push_back(c);
  }
  g_strfreev(parts);
  if (error.empty() && channels.empty()) error = "no channel given";
  if (!error.empty()) channels.clear();
  return channels;
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
