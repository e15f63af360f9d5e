// --shard K/N (scan and watch): which of N instances checks a camera. Each camera belongs to
// exactly one shard, decided by its identity alone, so adding or removing a
// camera never moves another, and every instance agrees without talking to
// the others. Growing N to N+1 moves only about 1/(N+1) of the cameras, all
// to the new shard (jump consistent hash, Lamping & Veach 2014, over the
// first 8 bytes of the SHA-256 of the canonical identity).
//
// The assignment is part of the on-disk contract between instances of
// different versions: changing it moves cameras (tests pin known values).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace focusmeter::scan {

struct Shard {
  std::uint32_t index = 0;  // K: 0 .. count - 1
  std::uint32_t count = 1;  // N >= 1
};

constexpr std::uint32_t kMaxShards = 65536;

// "K/N" with 0 <= K < N <= kMaxShards, decimal digits only. nullopt with a
// one-line `error` otherwise (e.g. "--shard 3/3: K must be below N (shards
// are numbered from 0)").
std::optional<Shard> parse_shard(const std::string& text, std::string& error);

// The shard (0 .. count - 1) of a canonical identity (camera_identity.h).
std::uint32_t shard_of(const std::string& canonical_identity, std::uint32_t count);

inline bool in_shard(const std::string& canonical_identity, const Shard& s) {
  return shard_of(canonical_identity, s.count) == s.index;
}

}  // namespace focusmeter::scan
