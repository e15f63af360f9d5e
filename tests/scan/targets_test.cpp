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

// A JSON camera list may give each camera a region to judge.
TEST(Targets, CameraListRoi) {
  const auto specs = focusmeter::scan::parse_cameras_json(
      R"([{"host": "10.0.0.5", "roi": [0, 240, 320, 240]}, {"host": "10.0.0.6", "roi": null}, {"host": "10.0.0.7"}])",
      "cams.json");
  ASSERT_EQ(specs.size(), 3u);
  ASSERT_TRUE(specs[0].roi);
  EXPECT_EQ(*specs[0].roi, (std::array<int, 4>{0, 240, 320, 240}));
  EXPECT_FALSE(specs[1].roi);
  EXPECT_FALSE(specs[2].roi);
  for (const char* bad : {R"("0,0,10,10")", "[0, 0, 320]", "[0, 0, 320, 240, 1]", "[-1, 0, 320, 240]", "[0, 0, 8, 240]",
                          "[0, 0, 320, 0]", "[0.5, 0, 320, 240]", R"([0, 0, "320", 240])", "[0, 0, 65536, 240]"}) {
    try {
      focusmeter::scan::parse_cameras_json(std::string(R"([{"host": "10.0.0.5", "roi": )") + bad + "}]", "c.json");
      ADD_FAILURE() << bad << " accepted";
    } catch (const TargetError& e) {
      EXPECT_NE(std::string(e.what()).find("c.json: camera 1: 'roi' must be [x, y, w, h]"), std::string::npos)
          << e.what();
    }
  }
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

// A typo must not scan the internet.
TEST(Targets, LargeRangesNeedExplicitConsent) {
  using focusmeter::scan::enforce_range_limits;
  auto refusal = [](const std::vector<TargetSpec>& specs, bool allow) -> std::string {
    try {
      enforce_range_limits(specs, allow);
    } catch (const TargetError& e) {
      return e.what();
    }
    return "";
  };
  // A /16 is the largest accepted: 65534 hosts (network and broadcast skipped).
  EXPECT_EQ(refusal({parse_target("10.1.0.0/16")}, false), "");
  EXPECT_EQ(refusal({parse_target("10.1.0.0-10.1.255.255")}, false), "");  // exactly 65536
  const std::string e = refusal({parse_target("10.0.0.0/0")}, false);
  EXPECT_NE(e.find("--allow-large-range"), std::string::npos) << e;
  EXPECT_NE(e.find("10.0.0.0/0"), std::string::npos) << e;
  EXPECT_NE(refusal({parse_target("10.0.0.0/15")}, false), "");
  EXPECT_NE(refusal({parse_target("10.1.0.0-10.1.255.255"), parse_target("10.2.0.1")}, false), "")
      << "the total counts too";
  EXPECT_EQ(refusal({parse_target("10.0.0.0/8")}, true), "");
}

TEST(Targets, NeverProbesThisNetworkMulticastReservedOrBroadcast) {
  // /0 with consent still never yields 0/8, 224/4 or 240/4.
  const std::vector<TargetSpec> all{parse_target("10.0.0.0/0")};
  TargetCursor c(all);
  EXPECT_EQ(c.total(), (std::uint64_t(1) << 32) - (1u << 24) - (std::uint64_t(1) << 29));
  EXPECT_EQ(c.next()->host, "1.0.0.0") << "0.0.0.0/8 skipped";
  // The block ends right before multicast; the walk stops at 223.255.255.254.
  const std::vector<TargetSpec> edge{parse_target("223.255.255.250-224.0.0.5")};
  EXPECT_EQ(expand(edge), (std::vector<std::string>{"223.255.255.250", "223.255.255.251", "223.255.255.252",
                                                    "223.255.255.253", "223.255.255.254", "223.255.255.255"}));
  EXPECT_NE(error_of("239.255.255.240-240.0.0.3").find("never probed"), std::string::npos);
  EXPECT_NE(error_of("224.0.0.0/24").find("never probed"), std::string::npos);
  EXPECT_NE(error_of("255.255.255.255").find("broadcast"), std::string::npos);
  EXPECT_NE(error_of("239.255.255.250").find("multicast"), std::string::npos);
  EXPECT_NE(error_of("0.0.0.0").find("0.0.0.0/8"), std::string::npos);
  // CIDR blocks up to /30 lose their network and broadcast addresses.
  EXPECT_EQ(expand("10.9.8.4/30"), (std::vector<std::string>{"10.9.8.5", "10.9.8.6"}));
}

// Issue 15: files are read in bounded pieces and fail fast.
TEST(Targets, OversizedFilesFailFastWithOneLine) {
  using focusmeter::scan::read_cameras_file;
  using focusmeter::scan::read_targets_file;
  auto error = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const TargetError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string zero = error([] { read_targets_file("/dev/zero"); });
  EXPECT_NE(zero.find("/dev/zero:1: line longer than 4096 bytes"), std::string::npos) << zero;
  EXPECT_NE(error([] { read_cameras_file("/dev/zero"); }).find("larger than 16 MiB"), std::string::npos);
  // A large file of valid lines: refused at the size limit, not read whole.
  const std::string big = ::testing::TempDir() + "/big-targets.txt";
  {
    std::ofstream out(big);
    const std::string line = "10.0.0.1   # " + std::string(1000, 'x') + "\n";
    for (std::size_t written = 0; written <= focusmeter::scan::kMaxFileBytes; written += line.size()) out << line;
  }
  EXPECT_NE(error([&] { read_targets_file(big); }).find("larger than 16 MiB"), std::string::npos);
  std::remove(big.c_str());
  const std::string many = temp_file("many-targets.txt", [] {
    std::string s;
    for (std::size_t i = 0; i <= focusmeter::scan::kMaxTargetLines; ++i) s += "10.0.0.1\n";
    return s;
  }());
  EXPECT_NE(error([&] { read_targets_file(many); }).find("more than 100000 targets"), std::string::npos);
}

// Issue 15: a malformed line with credentials is echoed without the password.
TEST(Targets, EchoedInputNeverCarriesAPassword) {
  const std::string path = temp_file("secret-targets.txt", "10.0.0.1\nadmin:Hunter2-secret@10.0.0.300\n");
  try {
    focusmeter::scan::read_targets_file(path);
    FAIL() << "no error";
  } catch (const TargetError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("Hunter2-secret"), std::string::npos) << what;
    EXPECT_NE(what.find("admin:***@10.0.0.300"), std::string::npos) << what;
    EXPECT_NE(what.find(":2:"), std::string::npos) << what;
  }
  const std::string csv_error = [] {
    try {
      focusmeter::scan::parse_cameras_csv("name,host\ndoor,viewer:pa55word@10.0.0.7/x\n", "c.csv");
    } catch (const TargetError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  }();
  EXPECT_EQ(csv_error.find("pa55word"), std::string::npos) << csv_error;
  EXPECT_NE(csv_error.find("c.csv:2:"), std::string::npos) << csv_error;
  EXPECT_EQ(focusmeter::scan::redact_userinfo("x rtsp://u:p@h/ y:z@w"), "x rtsp://u:***@h/ y:***@w");
}

// --channels: each address (not a URL) becomes one target per channel.
TEST(Targets, ChannelsMultiplyAddressesNotUrls) {
  const std::vector<TargetSpec> specs{parse_target("10.0.0.1-2"), parse_target("rtsp://10.0.0.9/x")};
  TargetCursor c(specs, {1, 3});
  EXPECT_EQ(c.total(), 5u);
  std::vector<std::string> seen;
  while (auto t = c.next()) seen.push_back(t->host + "#" + std::to_string(t->channel));
  EXPECT_EQ(seen, (std::vector<std::string>{"10.0.0.1#1", "10.0.0.1#3", "10.0.0.2#1", "10.0.0.2#3", "10.0.0.9#0"}));
  TargetCursor plain(specs);
  EXPECT_EQ(plain.next()->channel, 0) << "no --channels: no channel in the report";
}

TEST(Targets, CameraListAllowBasicAuthPerCamera) {
  const auto json = focusmeter::scan::parse_cameras_json(
      R"([{"host": "10.0.0.5", "allow_basic_auth": true}, {"host": "10.0.0.6"}])", "c.json");
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0].allow_basic_auth, true);
  EXPECT_FALSE(json[1].allow_basic_auth.has_value());
  const auto csv = focusmeter::scan::parse_cameras_csv("host,allow_basic_auth\n10.0.0.7,no\n", "c.csv");
  EXPECT_EQ(csv.at(0).allow_basic_auth, false);
  EXPECT_THROW(focusmeter::scan::parse_cameras_csv("host,allow_basic_auth\n10.0.0.7,maybe\n", "c.csv"), TargetError);
}
