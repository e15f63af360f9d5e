// Cameras shaped like real ones (tests/fakecam): a shared, already-running
// stream that every client joins mid-GOP, keyframes 1-4 s apart, H.264,
// H.265 and 10-bit H.265, Gaussian and disk defocus, one refusing RTP over TCP. The decoder turns the P-frames before
// the first keyframe into grey pictures (flagged CORRUPTED); a grey picture
// has "too little texture", scores 0.5 and, against a threshold above 0.5,
// passes for CLEAR. Every camera must get its right verdict on every one of
// 10 scans in a row, from real pictures only.
#include <gtest/gtest.h>

#include <sstream>

#include "../common/fake_farm.h"
#include "../common/jsonl_results.h"
#include "nlohmann/json.hpp"

namespace {

using focusmeter_test::FakeCamera;
using focusmeter_test::FakeFarm;
using focusmeter_test::run_focusmeter;

struct Expect {
  int octet;
  const char* verdict;
};

using focusmeter_test::jsonl_by_host;

TEST(LiveStreams, EveryScanJudgesRealPicturesOnly) {
  FakeFarm farm;
  // Small pictures: the size does not matter here, the GOP does.
  const std::vector<std::string> small{"--width", "320", "--height", "240"};
  auto cam = [&](std::vector<std::string> a) {
    a.insert(a.end(), small.begin(), small.end());
    return a;
  };
  const std::vector<FakeCamera> cameras{
      {10, cam({"--gop", "2"})},
      {11, cam({"--gop", "4", "--blur", "4"})},
      {12, cam({"--gop", "3", "--blur", "6", "--defocus", "disk"})},
      {13, cam({"--gop", "3", "--codec", "h265", "--blur", "4"})},
      {14, cam({"--gop", "1", "--codec", "h265"})},
      // 10-bit H.265 (Main10): the decoder's I420_10LE goes to the element as is.
      {15, cam({"--gop", "2", "--codec", "h265", "--10bit", "--blur", "4"})},
      // Refuses RTP over TCP: reached over UDP.
      {16, cam({"--gop", "2", "--tcp-refuse", "--blur", "4"})},
  };
  const std::vector<Expect> expected{{10, "CLEAR"}, {11, "BLURRY"}, {12, "BLURRY"}, {13, "BLURRY"},
                                     {14, "CLEAR"}, {15, "BLURRY"}, {16, "BLURRY"}};
  ASSERT_TRUE(farm.start(cameras)) << "could not start the fake cameras";

  std::vector<std::string> args{"scan", "--port", std::to_string(farm.port()), "--model",
                                std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json",
                                // Above 0.5: a grey picture's "no evidence" score would pass for CLEAR.
                                "--threshold", "0.6", "--timeout", "8", "--format", "jsonl"};
  for (const Expect& e : expected) args.push_back(farm.address(e.octet));

  for (int run = 0; run < 10; ++run) {
    SCOPED_TRACE("scan " + std::to_string(run + 1) + " of 10");
    const auto r = run_focusmeter(args);
    auto by_host = jsonl_by_host(r.out);
    for (const Expect& e : expected) {
      const auto& res = by_host[farm.address(e.octet)];
      SCOPED_TRACE(res.dump());
      EXPECT_EQ(res.value("status", ""), "ok") << r.err;
      EXPECT_EQ(res.value("verdict", nlohmann::json()), std::string(e.verdict));
      EXPECT_EQ(res.value("reason", "").find("too little texture"), std::string::npos)
          << "a grey (corrupted) picture was judged";
      if (e.octet == 16) {
        EXPECT_NE(res.value("reason", "").find("server does not offer RTP over TCP; tried UDP"), std::string::npos);
      }
    }
  }
}

}  // namespace
