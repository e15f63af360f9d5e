// A camera's identity and display name (scan/camera_identity.h): what keys
// watch's state, the metrics labels of scan and watch, and the shard.
#include "scan/camera_identity.h"

#include <gtest/gtest.h>

#include "scan/shard.h"

namespace fs = focusmeter::scan;

TEST(CameraIdentity, CanonicalIdentityIgnoresCredentialsCaseAndDefaultPort) {
  EXPECT_EQ(fs::canonical_camera_identity("RTSP://admin:hunter2@Cam1.Example:554/Stream1?x=1"),
            "rtsp://cam1.example/Stream1?x=1");
  EXPECT_EQ(fs::canonical_camera_identity("rtsp://cam1.example/Stream1?x=1"), "rtsp://cam1.example/Stream1?x=1");
  // A password in the query never reaches the identity (labels, state file).
  EXPECT_EQ(fs::canonical_camera_identity("rtsp://cam1.example/live?user=admin&password=hunter2"),
            "rtsp://cam1.example/live?user=admin&password=***");
  EXPECT_EQ(fs::canonical_camera_identity("rtsp://127.0.0.2:8554/cam"), "rtsp://127.0.0.2:8554/cam");
  EXPECT_EQ(fs::canonical_camera_identity("http://127.0.0.2:80"), "http://127.0.0.2");
  EXPECT_EQ(fs::canonical_camera_identity("  gate-north \n"), "gate-north");
  EXPECT_EQ(fs::canonical_camera_identity("rtsp://[::1]:8554/x"), "rtsp://[::1]:8554/x");
  EXPECT_EQ(fs::canonical_camera_identity("   "), "");
}

namespace {

std::vector<fs::CameraKey> keys(const std::vector<fs::TargetSpec>& specs, std::vector<int> channels = {}) {
  std::vector<fs::CameraKey> out;
  fs::TargetCursor cursor(specs, std::move(channels));
  while (const auto t = cursor.next()) out.push_back(fs::camera_key(*t, 554));
  return out;
}

}  // namespace

TEST(CameraIdentity, KeyOfEveryKindOfTarget) {
  const auto url = keys({fs::parse_target("rtsp://Admin:Secret-pw@CAM7.example:554/live?ch=1")});
  ASSERT_EQ(url.size(), 1u);
  EXPECT_EQ(url[0].identity, "rtsp://cam7.example/live?ch=1");
  EXPECT_EQ(url[0].name, "rtsp://CAM7.example:554/live?ch=1");  // as given, without the credentials

  const auto range = keys({fs::parse_target("10.0.0.1-2")}, {3});
  ASSERT_EQ(range.size(), 2u);
  EXPECT_EQ(range[1].identity, "rtsp://10.0.0.2#channel=3");
  EXPECT_EQ(range[1].name, "10.0.0.2-ch3");

  const auto listed = fs::parse_cameras_json(
      R"([{"name": "dock rtsp://admin:Secret-pw@10.0.0.9/x", "host": "10.0.0.9", "port": 8554}])", "cams.json");
  const auto named = keys(listed);
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0].identity, "rtsp://10.0.0.9:8554");
  EXPECT_EQ(named[0].name.find("Secret-pw"), std::string::npos) << named[0].name;
  EXPECT_NE(named[0].name.find("dock rtsp://admin:***@10.0.0.9/x"), std::string::npos) << named[0].name;
}

// The identity, hence the label and the shard, does not depend on how the
// camera is written: the same camera in a cameras file and as a URL with
// credentials lands in the same shard.
TEST(CameraIdentity, SameCameraSameShardWhateverTheSpelling) {
  const auto a = keys({fs::parse_target("rtsp://user:pw@Gate.Example:554/s1")});
  const auto b = keys({fs::parse_target("rtsp://gate.example/s1")});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].identity, b[0].identity);
  EXPECT_EQ(fs::shard_of(a[0].identity, 7), fs::shard_of(b[0].identity, 7));
}
