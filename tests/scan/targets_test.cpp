// Target parsing and expansion: addresses, ranges, CIDR, names, URLs,
// targets files and camera lists, and the clear errors for bad input.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "scan/targets.h"

using focusmeter::scan::parse_target;
using focusmeter::scan::Target;
using focusmeter::scan::TargetCursor;
using focusmeter::scan::TargetError;
using focusmeter::scan::TargetSpec;

namespace {

std::vector<std::string> expand(const std::vector<TargetSpec>& specs) {
  TargetCursor c(specs);
  std::vector<std::string> hosts;
  while (auto t = c.next()) hosts.push_back(t->host);
  return hosts;
}

std::vector<std::string> expand(const std::string& text) { return expand(std::vector<TargetSpec>{parse_target(text)}); }

std::string error_of(const std::string& text) {
  try {
    parse_target(text);
  } catch (const TargetError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace

TEST(Targets, SingleAddress) {
  EXPECT_EQ(expand("10.0.0.7"), std::vector<std::string>{"10.0.0.7"});
  EXPECT_FALSE(parse_target("10.0.0.7").is_range());
}

TEST(Targets, DashRangeLongAndShort) {
  EXPECT_EQ(expand("10.0.0.10-10.0.0.12"), (std::vector<std::string>{"10.0.0.10", "10.0.0.11", "10.0.0.12"}));
  EXPECT_EQ(expand("10.0.0.10-12"), (std::vector<std::string>{"10.0.0.10", "10.0.0.11", "10.0.0.12"}));
  // A long range crosses octet boundaries.
  EXPECT_EQ(expand("10.0.0.255-10.0.1.1"), (std::vector<std::string>{"10.0.0.255", "10.0.1.0", "10.0.1.1"}));
  EXPECT_EQ(parse_target("10.0.0.10-60").count(), 51u);
}

TEST(Targets, CidrSkipsNetworkAndBroadcast) {
  const auto hosts = expand("192.168.1.0/24");
  ASSERT_EQ(hosts.size(), 254u);
  EXPECT_EQ(hosts.front(), "192.168.1.1");
  EXPECT_EQ(hosts.back(), "192.168.1.254");
  // A host address inside the block names the same block.
  EXPECT_EQ(expand("192.168.1.77/30"), (std::vector<std::string>{"192.168.1.77", "192.168.1.78"}));
  EXPECT_EQ(expand("10.1.2.3/32"), std::vector<std::string>{"10.1.2.3"});
  EXPECT_EQ(expand("10.1.2.2/31"), (std::vector<std::string>{"10.1.2.2", "10.1.2.3"}));
}

TEST(Targets, HugeBlocksAreLazy) {
  // A /8 is counted, not listed: the cursor yields one address at a time.
  const std::vector<TargetSpec> specs{parse_target("10.0.0.0/8")};
  TargetCursor c(specs);
  EXPECT_EQ(c.total(), (1u << 24) - 2);
  EXPECT_EQ(c.next()->host, "10.0.0.1");
  EXPECT_EQ(c.next()->host, "10.0.0.2");
}

TEST(Targets, IndicesRunAcrossSpecs) {
  const std::vector<TargetSpec> specs{parse_target("10.0.0.1-2"), parse_target("cam.example")};
  TargetCursor c(specs);
  auto a = c.next(), b = c.next(), d = c.next();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->index, 0u);
  EXPECT_EQ(d->index, 2u);
  EXPECT_TRUE(a->from_range);
  EXPECT_FALSE(d->from_range);
  EXPECT_EQ(d->host, "cam.example");
  EXPECT_FALSE(c.next());
}

TEST(Targets, HostNameAndUrl) {
  const auto h = parse_target("cam-3.site.lan");
  EXPECT_EQ(h.kind, TargetSpec::Kind::Host);
  EXPECT_EQ(h.host, "cam-3.site.lan");

  const auto u = parse_target("rtsp://10.0.0.9:8554/Streaming/Channels/101");
  EXPECT_EQ(u.kind, TargetSpec::Kind::Url);
  EXPECT_EQ(u.host, "10.0.0.9");
  EXPECT_EQ(u.port, 8554);
  EXPECT_EQ(u.url, "rtsp://10.0.0.9:8554/Streaming/Channels/101");
  // Without a port the URL means the scheme's default, whatever --port says.
  EXPECT_EQ(parse_target("rtsp://10.0.0.9/live").port, 554);
}

TEST(Targets, UrlCredentialsAreSplitOffAndNeverKept) {
  const auto u = parse_target("rtsp://viewer:s3cret%21@10.0.0.9/cam/realmonitor?channel=1&subtype=0");
  EXPECT_EQ(u.user, "viewer");
  EXPECT_EQ(u.password, "s3cret!");
  EXPECT_EQ(u.url, "rtsp://10.0.0.9/cam/realmonitor?channel=1&subtype=0");
  EXPECT_EQ(u.given.find("s3cret"), std::string::npos);
}

TEST(Targets, BadInputGivesOneClearLine) {
  EXPECT_NE(error_of("10.0.0.300").find("not a valid IPv4 address"), std::string::npos);
  EXPECT_NE(error_of("10.0.0.60-10").find("before its start"), std::string::npos);
  EXPECT_NE(error_of("10.0.0.1-300").find("range end"), std::string::npos);
  EXPECT_NE(error_of("10.0.0.0/33").find("0-32"), std::string::npos);
  EXPECT_NE(error_of("10.0.0/24").find("CIDR"), std::string::npos);
  EXPECT_NE(error_of("http://10.0.0.1/").find("rtsp://"), std::string::npos);
  EXPECT_NE(error_of("cam_1!").find("not an address"), std::string::npos);
  EXPECT_NE(error_of("   ").find("empty"), std::string::npos);
  // A malformed URL is not echoed: it may hold a password.
  const std::string e = error_of("rtsp://admin:hunter22@");
  EXPECT_EQ(e.find("hunter22"), std::string::npos) << e;
}

TEST(Targets, TargetsFileWithComments) {
  const auto path = temp_file("targets.txt", "# office\n10.0.0.1\n\n10.0.0.5-6   # door cams\n");
  EXPECT_EQ(expand(focusmeter::scan::read_targets_file(path)),
            (std::vector<std::string>{"10.0.0.1", "10.0.0.5", "10.0.0.6"}));
  const auto bad = temp_file("bad-targets.txt", "10.0.0.1\n10.0.0.999\n");
  try {
    focusmeter::scan::read_targets_file(bad);
    FAIL() << "no error";
  } catch (const TargetError& e) {
    EXPECT_NE(std::string(e.what()).find("bad-targets.txt:2:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(focusmeter::scan::read_targets_file("/nonexistent/targets.txt"), TargetError);
}

TEST(Targets, CameraListJson) {
  const auto specs = focusmeter::scan::parse_cameras_json(
      R"({"cameras": [
        {"name": "door", "host": "10.0.0.5", "brand": "dahua", "user": "viewer", "password_env": "DOOR_PW"},
        {"name": "yard", "url": "rtsp://10.0.0.6:9554/live", "password_file": "/etc/yard.pw"}
      ]})",
      "cams.json");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].given, "door");
  EXPECT_EQ(specs[0].brand, "dahua");
  EXPECT_EQ(specs[0].user, "viewer");
  EXPECT_EQ(specs[0].password_ref.env, "DOOR_PW");
  EXPECT_EQ(specs[1].kind, TargetSpec::Kind::Url);
  EXPECT_EQ(specs[1].port, 9554);
  EXPECT_EQ(specs[1].password_ref.file, "/etc/yard.pw");
}

TEST(Targets, CameraListCsv) {
  const auto specs = focusmeter::scan::parse_cameras_csv(
      "name,host,brand,user,password_file\n"
      "\"lobby, east\",10.0.0.7,axis,admin,/run/pw\n"
      "# spare\n"
      "gate,10.0.0.8,,,\n",
      "cams.csv");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].given, "lobby, east");
  EXPECT_EQ(specs[0].host, "10.0.0.7");
  EXPECT_EQ(specs[0].brand, "axis");
  EXPECT_EQ(specs[0].password_ref.file, "/run/pw");
  EXPECT_TRUE(specs[1].brand.empty());
}

TEST(Targets, CameraListErrorsNameTheEntry) {
  auto error = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const TargetError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_NE(error([] {
              focusmeter::scan::parse_cameras_json("[{\"name\": \"x\"}]", "c.json");
            }).find("c.json: camera 1: needs exactly one of 'host' or 'url'"),
            std::string::npos);
  EXPECT_NE(error([] {
              focusmeter::scan::parse_cameras_json("[{\"host\": \"10.0.0.0/24\"}]", "c.json");
            }).find("not a range"),
            std::string::npos);
  EXPECT_NE(error([] {
              focusmeter::scan::parse_cameras_json("[{\"url\": \"rtsp://h/x\", \"port\": 1}]", "c.json");
            }).find("inside 'url'"),
            std::string::npos);
  EXPECT_NE(error([] { focusmeter::scan::parse_cameras_json("[{", "c.json"); }).find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(error([] {
              focusmeter::scan::parse_cameras_csv("name,host,colour\n", "c.csv");
            }).find("c.csv:1: unknown column 'colour'"),
            std::string::npos);
  EXPECT_NE(error([] {
              focusmeter::scan::parse_cameras_csv("host,port\n10.0.0.1,99999\n", "c.csv");
            }).find("c.csv:2: 'port' must be 1-65535"),
            std::string::npos);
}

// A camera list may name each camera's RTP transport (docs/scan.md).
TEST(Targets, CameraListTransport) {
  const auto json = focusmeter::scan::parse_cameras_json(
      R"([{"host": "10.0.0.5", "transport": "udp"}, {"host": "10.0.0.6"}])", "cams.json");
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0].transport, "udp");
  EXPECT_TRUE(json[1].transport.empty()) << "the global --transport";
  const auto csv = focusmeter::scan::parse_cameras_csv("host,transport\n10.0.0.7,tcp\n", "cams.csv");
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv[0].transport, "tcp");
  try {
    focusmeter::scan::parse_cameras_json(R"([{"host": "10.0.0.5", "transport": "carrier-pigeon"}])", "c.json");
    FAIL() << "a bad transport was accepted";
  } catch (const TargetError& e) {
    EXPECT_NE(std::string(e.what()).find("c.json: camera 1: 'transport' must be auto, tcp, udp or http"),
              std::string::npos)
        << e.what();
  }
}
