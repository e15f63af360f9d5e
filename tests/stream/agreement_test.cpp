// `scan` and `check rtsp://` share one stream path: against the same farm of
// cameras (sharp, defocused, H.265, refusing RTP over TCP, behind digest
// auth, with a password the tools do not know, at a path that does not
// exist, silent, answering garbage, audio only) both give every camera the
// same status and the same verdict.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "../common/fake_farm.h"
#include "nlohmann/json.hpp"

namespace {

using focusmeter_test::FakeCamera;
using focusmeter_test::FakeFarm;
using focusmeter_test::run_focusmeter;

const std::string kPassword = "Agree-pw-51d0";
const std::string kOtherPassword = "Unknown-pw-7a2";

struct Case {
  FakeCamera camera;
  std::string path;     // what the URL asks for
  std::string status;   // expected from both commands
  std::string verdict;  // "" = none
};

TEST(OneStreamPath, ScanAndCheckAgreeOnEveryCamera) {
  g_autofree gchar* dir = g_dir_make_tmp("focusmeter-agree-XXXXXX", nullptr);
  const std::string pw = std::string(dir) + "/pw", other = std::string(dir) + "/other";
  ASSERT_TRUE(g_file_set_contents(pw.c_str(), (kPassword + "\n").c_str(), -1, nullptr));
  ASSERT_TRUE(g_file_set_contents(other.c_str(), (kOtherPassword + "\n").c_str(), -1, nullptr));
  const std::string def = "/Streaming/Channels/101";
  const std::vector<std::string> small{"--width", "320", "--height", "240"};
  auto cam = [&](std::vector<std::string> a) {
    a.insert(a.end(), small.begin(), small.end());
    return a;
  };
  const std::vector<Case> cases{
      {{20, cam({"--gop", "2"})}, def, "ok", "CLEAR"},
      {{21, cam({"--gop", "3", "--blur", "4"})}, def, "ok", "BLURRY"},
      {{22, cam({"--gop", "2", "--codec", "h265", "--blur", "6", "--defocus", "disk"})}, def, "ok", "BLURRY"},
      {{23, cam({"--gop", "2", "--tcp-refuse"})}, def, "ok", "CLEAR"},
      {{24, cam({"--gop", "1", "--user", "admin", "--password-file", pw})}, def, "ok", "CLEAR"},
      {{25, cam({"--user", "admin", "--password-file", other})}, def, "auth_failed", ""},
      {{26, cam({})}, "/no/such/stream", "not_found", ""},
      {{27, {"--mode", "silent"}}, def, "timeout", ""},
      {{28, {"--mode", "garbage"}}, def, "stream_error", ""},
      {{29, {"--mode", "audio"}}, def, "stream_error", ""},
  };
  std::vector<FakeCamera> cameras;
  for (const Case& c : cases) cameras.push_back(c.camera);
  FakeFarm farm;
  ASSERT_TRUE(farm.start(cameras)) << "could not start the fake cameras";
  std::vector<std::string> urls;
  for (const Case& c : cases)
    urls.push_back("rtsp://" + farm.address(c.camera.last_octet) + ":" + std::to_string(farm.port()) + c.path);

  const std::string model = std::string(FOCUSMETER_TEST_DATA) + "/models/scan-blur-model.json";
  std::vector<std::string> scan{"scan", "--user",    "admin", "--password-file", pw,    "--model",
                                model,  "--timeout", "6",     "--format",        "json"};
  scan.insert(scan.end(), urls.begin(), urls.end());
  // Three pictures over a second, as scan judges them.
  std::vector<std::string> check{
      "check", "--user",           "admin", "--password-file", pw,      "--model", model, "--timeout",
      "6",     "--stream-seconds", "1",     "--every",         "0.333", "-j",      "10",  "-f",
      "json"};
  check.insert(check.end(), urls.begin(), urls.end());

  const auto s = run_focusmeter(scan);
  const auto k = run_focusmeter(check);
  SCOPED_TRACE("scan stderr: " + s.err + "\ncheck stderr: " + k.err);
  const auto scan_doc = nlohmann::json::parse(s.out, nullptr, false);
  const auto check_doc = nlohmann::json::parse(k.out, nullptr, false);
  ASSERT_FALSE(scan_doc.is_discarded()) << s.out;
  ASSERT_FALSE(check_doc.is_discarded()) << k.out;
  std::map<std::string, nlohmann::json> by_host;
  for (const auto& r : scan_doc["results"]) by_host[r["host"].get<std::string>()] = r;
  ASSERT_EQ(check_doc["results"].size(), cases.size()) << k.out;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const auto& sr = by_host[farm.address(c.camera.last_octet)];
    const auto& kr = check_doc["results"][i];
    SCOPED_TRACE("scan: " + sr.dump() + "\ncheck: " + kr.dump());
    EXPECT_EQ(sr.value("status", ""), c.status);
    EXPECT_EQ(kr.value("status", ""), c.status);
    const auto none = nlohmann::json();
    const auto want = c.verdict.empty() ? none : nlohmann::json(c.verdict);
    EXPECT_EQ(sr.value("verdict", none), want);
    EXPECT_EQ(kr.value("verdict", none), want);
    if (c.status != "ok" && c.status != "timeout") {
      EXPECT_EQ(sr.value("reason", ""), kr.value("reason", "")) << "the same reason from both";
    }
  }
  // The camera that refuses RTP over TCP was reached over UDP, and says so.
  for (const auto& r : {by_host[farm.address(23)], check_doc["results"][3]})
    EXPECT_NE(r.value("reason", "").find("server does not offer RTP over TCP; tried UDP"), std::string::npos)
        << r.dump();
  for (const auto* text : {&s.out, &s.err, &k.out, &k.err}) {
    EXPECT_EQ(text->find(kPassword), std::string::npos);
    EXPECT_EQ(text->find(kOtherPassword), std::string::npos);
  }
  g_remove(pw.c_str());
  g_remove(other.c_str());
  g_rmdir(dir);
}

}  // namespace
