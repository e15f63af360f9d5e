// `focusmeter scan` for a fleet: --format prometheus (node_exporter's
// textfile collector: written atomically, linted by promtool, labelled by
// the camera's identity and name, never a password) and --shard K/N (two
// shards over one farm check every camera exactly once), against fake
// cameras (tests/fakecam) on a random 127.x.y.0/24 block.
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../common/fake_farm.h"
#include "../common/focusmeter_run.h"
#include "../common/jsonl_results.h"
#include "../common/promtool.h"
#include "nlohmann/json.hpp"
#include "scan/camera_identity.h"
#include "scan/shard.h"

namespace {

const std::string kPassword = "Fm-Fleet-pw-4d2a";

using focusmeter_test::run_focusmeter;
using focusmeter_test::RunResult;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of each sample of `family` by its label set: {"camera=...,name=...": "1"}.
std::map<std::string, std::string> samples(const std::string& text, const std::string& family) {
  std::map<std::string, std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(family + "{", 0) == 0) {
      const std::size_t close = line.rfind('}');
      out[line.substr(family.size() + 1, close - family.size() - 1)] = line.substr(close + 2);
    }
  return out;
}

std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  g_autoptr(GDir) d = g_dir_open(dir.c_str(), 0, nullptr);
  while (const char* n = d ? g_dir_read_name(d) : nullptr) out.emplace_back(n);
  return out;
}

class ScanFleet : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g_autofree gchar* dir = g_dir_make_tmp("focusmeter-scan-fleet-XXXXXX", nullptr);
    tmp_ = dir;
    g_mkdir(textfile_dir().c_str(), 0755);
    const std::string pw = tmp_ + "/cam.pw";
    g_file_set_contents(pw.c_str(), (kPassword + "\n").c_str(), -1, nullptr);
    const std::vector<std::string> auth{"--user", "admin", "--password-file", pw};
    auto with_auth = [&](std::vector<std::string> a) {
      a.insert(a.end(), auth.begin(), auth.end());
      return a;
    };
    farm_ = std::make_unique<focusmeter_test::FakeFarm>();
    started_ = farm_->start({{10, with_auth({})},
                             {11, with_auth({"--blur", "4"})},
                             {12, {"--user", "admin", "--password-file", pw, "--path", "/live"}},
                             {13, with_auth({})},
                             {14, with_auth({})},
                             {15, with_auth({"--blur", "4"})}});
  }
  static void TearDownTestSuite() { farm_.reset(); }

  static std::string textfile_dir() { return tmp_ + "/textfile"; }
  static std::string address(int octet) { return farm_->address(octet); }
  static std::string identity(int octet) { return "rtsp://" + address(octet) + ":" + std::to_string(farm_->port()); }

  // A scan of the farm: four addresses, a named camera with a URL, one
  // address where nothing listens.
  std::vector<std::string> scan_args(std::vector<std::string> extra) const {
    const std::string list = tmp_ + "/cameras.json";
    const std::string cams = R"([{"name": "loading dock", "url": "rtsp://)" + address(12) + ":" +
                             std::to_string(farm_->port()) + R"(/live", "user": "admin"}])";
    g_file_set_contents(list.c_str(), cams.c_str(), -1, nullptr);
    std::vector<std::string> a{"scan",
                               "--user",
                               "admin",
                               "--port",
                               std::to_string(farm_->port()),
                               "--timeout",
                               "15",
                               "--model",
                               std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json",
                               "--cameras",
                               list,
                               address(10),
                               address(11),
                               address(13),
                               address(14),
                               address(15),
                               address(200)};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  static inline std::string tmp_;
  static inline std::unique_ptr<focusmeter_test::FakeFarm> farm_;
  static inline bool started_ = false;
};

TEST_F(ScanFleet, PrometheusTextfileForNodeExporter) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  const std::string prom = textfile_dir() + "/focusmeter.prom";
  // An earlier scan's file is replaced whole, never appended to.
  g_file_set_contents(prom.c_str(), "# an earlier scan\n", -1, nullptr);
  // No --format: the .prom extension says it (node_exporter reads *.prom).
  const RunResult run = run_focusmeter(scan_args({"--output", prom}), {{"FOCUSMETER_PASSWORD", kPassword}});
  EXPECT_EQ(run.status, 1) << run.err;  // two BLURRY cameras
  // Written to a hidden temporary file and renamed: the collector never
  // reads half a file, and nothing else is left in its folder.
  EXPECT_EQ(dir_entries(textfile_dir()), std::vector<std::string>{"focusmeter.prom"});
  const std::string text = read_text(prom);
  EXPECT_EQ(text.find("an earlier scan"), std::string::npos);

  auto label = [](const std::string& identity, const std::string& name) {
    return "camera=\"" + identity + "\",name=\"" + name + "\"";
  };
  const std::string dock = "rtsp://" + address(12) + ":" + std::to_string(farm_->port()) + "/live";
  const std::map<std::string, std::string> up{
      {label(dock, "loading dock"), "1"},        {label(identity(10), address(10)), "1"},
      {label(identity(11), address(11)), "1"},   {label(identity(13), address(13)), "1"},
      {label(identity(14), address(14)), "1"},   {label(identity(15), address(15)), "1"},
      {label(identity(200), address(200)), "0"},
  };
  EXPECT_EQ(samples(text, "focusmeter_camera_up"), up) << text;
  const std::map<std::string, std::string> blurry{
      {label(dock, "loading dock"), "0"},      {label(identity(10), address(10)), "0"},
      {label(identity(11), address(11)), "1"}, {label(identity(13), address(13)), "0"},
      {label(identity(14), address(14)), "0"}, {label(identity(15), address(15)), "1"},
  };
  EXPECT_EQ(samples(text, "focusmeter_camera_blurry"), blurry) << text;
  const auto scores = samples(text, "focusmeter_camera_score");
  EXPECT_EQ(scores.size(), 6u) << text;  // none for the camera that did not answer
  EXPECT_GE(std::stod(scores.at(label(identity(11), address(11)))), 0.5) << text;
  const auto times = samples(text, "focusmeter_camera_last_check_timestamp_seconds");
  EXPECT_EQ(times.size(), 7u) << text;
  const double now = g_get_real_time() / 1e6;
  for (const auto& [_, t] : times) {
    EXPECT_GT(std::stod(t), now - 120) << t;
    EXPECT_LE(std::stod(t), now) << t;
  }
  EXPECT_NE(text.find("\nfocusmeter_scan_partial 0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("incident"), std::string::npos) << "a scan keeps no incidents";
  EXPECT_EQ(text.find(kPassword), std::string::npos) << text;
  EXPECT_EQ(run.err.find(kPassword), std::string::npos);

  const auto lint = focusmeter_test::promtool_check_metrics(text);
  EXPECT_TRUE(lint.clean()) << lint.output << "\n" << text;

  // The labels are the camera's, not the run's: a second scan (with
  // --keyframes-only, another route to the same cameras) gives the same series.
  const RunResult again =
      run_focusmeter(scan_args({"--format", "prometheus", "--keyframes-only"}), {{"FOCUSMETER_PASSWORD", kPassword}});
  EXPECT_EQ(again.status, 1) << again.err;
  std::set<std::string> first, second;
  for (const auto& [l, _] : samples(text, "focusmeter_camera_up")) first.insert(l);
  for (const auto& [l, _] : samples(again.out, "focusmeter_camera_up")) second.insert(l);
  EXPECT_EQ(first, second) << again.out;
}

TEST_F(ScanFleet, TwoShardsCheckEveryCameraExactlyOnce) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  std::map<std::string, int> checked;
  std::map<std::string, std::set<std::string>> by_shard;
  for (const std::string shard : {"0/2", "1/2"}) {
    const RunResult r =
        run_focusmeter(scan_args({"--shard", shard, "--format", "prometheus"}), {{"FOCUSMETER_PASSWORD", kPassword}});
    EXPECT_TRUE(r.status == 0 || r.status == 1 || r.status == 2) << r.err;
    for (const auto& [labels, _] : samples(r.out, "focusmeter_camera_up")) {
      const std::string identity = labels.substr(8, labels.find('"', 8) - 8);
      ++checked[identity];
      by_shard[shard].insert(identity);
    }
  }
  const std::string dock = "rtsp://" + address(12) + ":" + std::to_string(farm_->port()) + "/live";
  const std::vector<std::string> all{dock,         identity(10), identity(11), identity(13),
                                     identity(14), identity(15), identity(200)};
  for (const auto& id : all) EXPECT_EQ(checked[id], 1) << id;
  EXPECT_EQ(checked.size(), all.size());
  // Each camera went to the shard the shared hash names (the same as
  // watch --shard, tools/scan/shard.h).
  for (const std::string shard : {"0/2", "1/2"})
    for (const auto& id : by_shard[shard])
      EXPECT_EQ(focusmeter::scan::shard_of(id, 2), static_cast<std::uint32_t>(shard[0] - '0')) << id;
}

// An unreachable range with --channels under --shard: each instance counts
// the addresses it has at least one channel of ("N unreachable addresses of
// ranges not listed"). The count used to follow the first channel only, so
// an address whose channel 1 went to the other shard was missing from it.
TEST_F(ScanFleet, ShardedChannelsCountEveryUnreachableAddress) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  const int first = 220, last = 227;  // nothing listens there
  std::map<int, int> expected;        // shard -> addresses with a channel in it
  for (int octet = first; octet <= last; ++octet) {
    std::set<std::uint32_t> shards;
    for (int ch = 1; ch <= 4; ++ch)
      shards.insert(focusmeter::scan::shard_of(
          focusmeter::scan::canonical_camera_identity(identity(octet)) + "#channel=" + std::to_string(ch), 2));
    for (const std::uint32_t s : shards) ++expected[static_cast<int>(s)];
  }
  // The range is one where some address is split across the shards (else
  // the first-channel count would be right by chance).
  ASSERT_GT(expected[0] + expected[1], last - first + 1);
  for (const int k : {0, 1}) {
    const RunResult r = run_focusmeter({"scan", "--port", std::to_string(farm_->port()), "--probe-timeout", "0.5",
                                        "--channels", "1-4", "--shard", std::to_string(k) + "/2", "--format", "jsonl",
                                        address(first) + "-" + std::to_string(last)});
    EXPECT_EQ(r.status, 2) << r.err;
    const std::string line = ": " + std::to_string(expected[k]) + " unreachable address";
    EXPECT_NE(r.err.find(line), std::string::npos) << "shard " << k << ": want \"" << line << "\" in " << r.err;
  }
}

// A camera list's "roi" reaches the element: the region judged is smaller
// (its focus map has fewer tiles, its features differ), and a region the
// element had to clip, or could not use, is named in the reason.
TEST_F(ScanFleet, CameraListRoiIsTheRegionJudged) {
  ASSERT_TRUE(started_) << "could not start the fake cameras";
  const std::string list = tmp_ + "/roi.json";
  const std::string host = address(10);
  const std::string cams = R"([{"name": "full", "host": ")" + host + R"("},
      {"name": "corner", "host": ")" +
                           host + R"(", "roi": [0, 0, 160, 120]},
      {"name": "clipped", "host": ")" +
                           host + R"(", "roi": [600, 400, 100, 100]},
      {"name": "outside", "host": ")" +
                           host + R"(", "roi": [1000, 1000, 64, 64]}])";
  g_file_set_contents(list.c_str(), cams.c_str(), -1, nullptr);
  const RunResult r = run_focusmeter(
      {"scan", "--user", "admin", "--port", std::to_string(farm_->port()), "--timeout", "15", "--model",
       std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json", "--cameras", list, "--format", "jsonl"},
      {{"FOCUSMETER_PASSWORD", kPassword}});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  auto by_name = focusmeter_test::jsonl_by(r.out, "target");
  ASSERT_EQ(by_name.size(), 4u) << r.out;
  for (const auto& [name, j] : by_name) ASSERT_EQ(j["status"], "ok") << j.dump();
  const auto& full = by_name["full"];
  const auto& corner = by_name["corner"];
  ASSERT_TRUE(full.contains("map") && corner.contains("map")) << r.out;
  EXPECT_LT(corner["map"]["cols"].get<int>() * corner["map"]["rows"].get<int>(),
            full["map"]["cols"].get<int>() * full["map"]["rows"].get<int>())
      << r.out;
  EXPECT_NE(corner["features"]["laplacian_variance"], full["features"]["laplacian_variance"]) << r.out;
  EXPECT_EQ(full.value("reason", ""), "") << r.out;
  EXPECT_EQ(corner.value("reason", ""), "") << r.out;
  EXPECT_NE(by_name["clipped"]["reason"].get<std::string>().find(
                "roi [600, 400, 100, 100] clipped to [600, 400, 40, 80] (the picture is 640x480)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(by_name["outside"]["reason"].get<std::string>().find(
                "roi [1000, 1000, 64, 64] lies outside the 640x480 picture: the whole picture was judged"),
            std::string::npos)
      << r.out;
  // The whole picture, as without a region.
  EXPECT_EQ(by_name["outside"]["map"]["cols"], full["map"]["cols"]) << r.out;
}

TEST_F(ScanFleet, ShardAndFormatRefusals) {
  for (const char* bad : {"2/2", "1", "a/3", "0/0"}) {
    const RunResult r = run_focusmeter({"scan", "--shard", bad, "127.0.0.1"});
    EXPECT_EQ(r.status, 64) << bad << r.err;
    // The reason in one line (then the usual pointer to --help).
    EXPECT_NE(r.err.substr(0, r.err.find('\n')).find("--shard " + std::string(bad) + ":"), std::string::npos) << r.err;
  }
  const RunResult check = run_focusmeter({"check", "--format", "prometheus", "nosuch.jpg"});
  EXPECT_EQ(check.status, 64) << check.err;
  EXPECT_NE(check.err.find("prometheus is scan's"), std::string::npos) << check.err;
}

}  // namespace
