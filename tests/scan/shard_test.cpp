#include "scan/shard.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace fw = focusmeter::scan;

namespace {

std::vector<std::string> cameras(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back("rtsp://10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." +
                  std::to_string(i % 256) + "/stream1");
  return out;
}

}  // namespace

TEST(Shard, ParsesKOverN) {
  std::string error;
  const auto s = fw::parse_shard("2/5", error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->index, 2u);
  EXPECT_EQ(s->count, 5u);
  EXPECT_TRUE(fw::parse_shard("0/1", error));
  for (const char* bad : {"", "3", "3/3", "5/3", "-1/3", "1/0", "a/b", "1/3/4", " 1/3", "1/99999999999", "1/70000"}) {
    error.clear();
    EXPECT_FALSE(fw::parse_shard(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
    EXPECT_EQ(error.find('\n'), std::string::npos);
  }
  fw::parse_shard("3/3", error);
  EXPECT_NE(error.find("numbered from 0"), std::string::npos) << error;
}

TEST(Shard, EveryCameraBelongsToExactlyOneShard) {
  const auto cams = cameras(5000);
  for (std::uint32_t n : {1u, 2u, 3u, 7u, 16u}) {
    for (const auto& c : cams) {
      int owners = 0;
      for (std::uint32_t k = 0; k < n; ++k) owners += fw::in_shard(c, {k, n});
      ASSERT_EQ(owners, 1) << c << " over " << n;
    }
  }
}

TEST(Shard, SpreadsEvenly) {
  const auto cams = cameras(16000);
  std::map<std::uint32_t, int> per_shard;
  for (const auto& c : cams) ++per_shard[fw::shard_of(c, 8)];
  ASSERT_EQ(per_shard.size(), 8u);
  for (const auto& [k, count] : per_shard) {
    EXPECT_GT(count, 2000 * 0.9) << k;
    EXPECT_LT(count, 2000 * 1.1) << k;
  }
}

TEST(Shard, AddingACameraMovesNoOther) {
  auto cams = cameras(500);
  std::map<std::string, std::uint32_t> before;
  for (const auto& c : cams) before[c] = fw::shard_of(c, 5);
  cams.push_back("rtsp://192.168.7.7/new");
  for (const auto& c : cams) {
    if (before.count(c)) {
      EXPECT_EQ(fw::shard_of(c, 5), before[c]) << c;
    }
  }
}

TEST(Shard, GrowingNMovesFewCamerasAndOnlyToTheNewShard) {
  const auto cams = cameras(10000);
  int moved = 0;
  for (const auto& c : cams) {
    const auto a = fw::shard_of(c, 4);
    const auto b = fw::shard_of(c, 5);
    if (a != b) {
      ++moved;
      EXPECT_EQ(b, 4u) << c;
    }
  }
  // Ideal: 1/5 of 10000.
  EXPECT_GT(moved, 1800);
  EXPECT_LT(moved, 2200);
}

// Instances of different builds must agree: these values are the contract.
// They were computed independently (Python: hashlib.sha256, first 8 bytes
// big-endian, the paper's jump hash), not copied from this code's output.
TEST(Shard, AssignmentIsPinned) {
  std::vector<std::uint32_t> got;
  for (const char* c : {"rtsp://127.0.0.2:8554/cam", "rtsp://10.0.0.1/stream1", "gate-north", "rtsp://[::1]:8554/x"})
    got.push_back(fw::shard_of(c, 16));
  EXPECT_EQ(got, (std::vector<std::uint32_t>{10, 8, 2, 15}));
}
