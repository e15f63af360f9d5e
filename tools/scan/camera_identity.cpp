#include "scan/camera_identity.h"

#include <cctype>

#include "cli/url.h"

namespace focusmeter::scan {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int default_port(const std::string& scheme) {
  if (scheme == "rtsp") return 554;
  if (scheme == "rtsps") return 322;
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return -1;
}

}  // namespace

std::string canonical_camera_identity(const std::string& camera) {
  const auto first = camera.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const std::string text = camera.substr(first, camera.find_last_not_of(" \t\r\n") - first + 1);
  const auto url = cli::parse_url(text);
  if (!url) return text;
  const std::string scheme = lower(url->scheme);
  const std::size_t authority = text.find("://") + 3;
  const std::size_t path = text.find_first_of("/?#", authority);
  std::string host = lower(url->host);
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6
  std::string out = scheme + "://" + host;
  if (url->port >= 0 && url->port != default_port(scheme)) out += ":" + std::to_string(url->port);
  if (path != std::string::npos) out += text.substr(path);
  // A camera that takes its password in the query keeps it out of its
  // identity (labels, the state file) too.
  return cli::redact_url(out, "");
}

CameraKey camera_key(const Target& target, int default_port) {
  const TargetSpec& spec = *target.spec;
  CameraKey k;
  if (spec.kind == TargetSpec::Kind::Url) {
    k.identity = canonical_camera_identity(spec.url);
  } else {
    k.identity =
        canonical_camera_identity("rtsp://" + target.host + ":" + std::to_string(spec.port.value_or(default_port)));
    if (target.channel > 0) k.identity += "#channel=" + std::to_string(target.channel);
  }
  k.name = !spec.name.empty() && !target.from_range ? spec.name : target.from_range ? target.host : spec.given;
  if (target.channel > 0) k.name += "-ch" + std::to_string(target.channel);
  // A name comes from a file the operator wrote; a URL pasted into it with
  // its password must not reach a label or an alert.
  k.name = redact_userinfo(k.name);
  if (k.name.find("://") != std::string::npos) k.name = cli::redact_url(k.name, "");
  return k;
}

}  // namespace focusmeter::scan
