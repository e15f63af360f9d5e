#include "scan/shard.h"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace focusmeter::scan {

namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
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

std::uint32_t shard_of(const std::string& canonical_identity, std::uint32_t count) {
  if (count <= 1) return 0;
  return jump_consistent_hash(identity_key(canonical_identity), count);
}

}  // namespace focusmeter::scan
