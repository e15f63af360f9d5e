// Camera brands, their RTSP URL templates, and how URLs are shown.
//
// A route is a URL template with {host} and {port} placeholders (a user's
// template may also hold {channel} and {stream}, filled per channel first). `--brand
// auto` tries every known route in turn (kAutoRoutes order); a named brand
// uses its own; `--url-template` gives one of the user's. A URL shown to
// anyone (report, log, error) goes through redact_url first.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/url.h"

namespace focusmeter::scan {

struct Route {
  std::string brand;  // "hikvision", "dahua", ..., or "custom"
  std::string tmpl;   // "rtsp://{host}:{port}/Streaming/Channels/101"
};

// The brands --brand accepts besides "auto", in the order auto tries them.
const std::vector<std::string>& known_brands();

// The routes for one brand ("auto" = all known routes, each once; "onvif" =
// none, the device is asked); nullopt for an unknown brand. `substream` picks the low-resolution stream
// where the brand has one (the others keep their main stream); `channel`
// (1-based) the NVR/encoder channel in each brand's documented form.
std::optional<std::vector<Route>> routes_for_brand(std::string_view brand, bool substream, int channel = 1);

// Checks a user template: must start with rtsp:// or rtsps://, contain
// {host}, and use no placeholder but {host}, {port}, {channel} and
// {stream}. Returns "" when fine, else the reason.
std::string validate_template(const std::string& tmpl);

// Fills {channel} (the number) and {stream} ("main" or "sub").
std::string fill_channel(const std::string& tmpl, int channel, bool substream);

// The highest channel number accepted (NVRs have up to 64, some 256).
constexpr int kMaxChannel = 256;

// "1-16", "1,3,5-8" -> channel numbers in order, each once; empty with
// `error` set on bad input.
std::vector<int> parse_channels(const std::string& text, std::string& error);

// Fills {host} and {port} (IPv6 literals get brackets).
std::string expand_template(const std::string& tmpl, const std::string& host, int port);

// URL redaction and secret scrubbing are shared with `check`
// (cli/url.h); the scan code calls them by their old names.
using cli::redact_url;
using cli::scrub_secret;

}  // namespace focusmeter::scan
