#include "watch/shard.h"

#include <glib.h>

#include <algorithm>
#include <cctype>

#include "cli/url.h"

namespace focusmeter::watch {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

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

std::uint64_t identity_key(const std::string& identity) {
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(sum, reinterpret_cast<const guchar*>(identity.data()), static_cast<gssize>(identity.size()));
  guint8 digest[32];
  gsize len = sizeof digest;
  g_checksum_get_digest(sum, digest, &len);
  std::uint64_t key = 0;
  for (int i = 0; i < 8; ++i) key = (key << 8) | digest[i];  // big-endian: the digest's first bytes
  return key;
}

// Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm".
std::uint32_t jump_consistent_hash(std::uint64_t key, std::uint32_t buckets) {
  std::int64_t b = -1;
  std::int64_t j = 0;
  while (j < static_cast<std::int64_t>(buckets)) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<std::int64_t>(static_cast<double>(b + 1) *
                                  (static_cast<double>(1LL << 31) / static_cast<double>((key >> 33) + 1)));
  }
  return static_cast<std::uint32_t>(b);
}

}  // namespace

std::optional<Shard> parse_shard(const std::string& text, std::string& error) {
  const auto slash = text.find('/');
  const std::string k = slash == std::string::npos ? "" : text.substr(0, slash);
  const std::string n = slash == std::string::npos ? "" : text.substr(slash + 1);
  if (!all_digits(k) || !all_digits(n)) {
    error = "--shard " + text + ": expected K/N, e.g. 0/4";
    return std::nullopt;
  }
  Shard s;
  s.index = static_cast<std::uint32_t>(std::stoul(k));
  const unsigned long count = std::stoul(n);
  if (count < 1 || count > kMaxShards) {
    error = "--shard " + text + ": N must be between 1 and " + std::to_string(kMaxShards);
    return std::nullopt;
  }
  s.count = static_cast<std::uint32_t>(count);
  if (s.index >= s.count) {
    error = "--shard " + text + ": K must be below N (shards are numbered from 0)";
    return std::nullopt;
  }
  return s;
}

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
  return out;
}

std::uint32_t shard_of(const std::string& canonical_identity, std::uint32_t count) {
  if (count <= 1) return 0;
  return jump_consistent_hash(identity_key(canonical_identity), count);
}

}  // namespace focusmeter::watch
