// Brand routes, URL templates, redaction and error classification.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <string>

#include "scan/camera_scan.h"
#include "scan/credentials.h"
#include "scan/routes.h"
#include "stream/stream_probe.h"

namespace scan = focusmeter::scan;
using focusmeter::report::Status;

TEST(Routes, AutoTriesEveryBrandOnce) {
  const auto routes = scan::routes_for_brand("auto", false);
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 7u);
  EXPECT_EQ((*routes)[0].brand, "hikvision");
  EXPECT_EQ((*routes)[0].tmpl, "rtsp://{host}:{port}/Streaming/Channels/101");
  for (const char* path : {"/CH001", "/cam/realmonitor?channel=1&subtype=0", "/axis-media/media.amp",
                           "/h264Preview_01_main", "/profile2/media.smp", "/unicast/c1/s0/live"}) {
    bool found = false;
    for (const auto& r : *routes) found |= r.tmpl.find(path) != std::string::npos;
    EXPECT_TRUE(found) << path;
  }
}

TEST(Routes, NamedBrandsAliasesAndSubstreams) {
  EXPECT_EQ(scan::routes_for_brand("dahua", true)->at(0).tmpl,
            "rtsp://{host}:{port}/cam/realmonitor?channel=1&subtype=1");
  const auto amcrest = scan::routes_for_brand("amcrest", false);
  ASSERT_TRUE(amcrest);
  EXPECT_EQ(amcrest->at(0).brand, "amcrest");
  EXPECT_EQ(amcrest->at(0).tmpl, "rtsp://{host}:{port}/cam/realmonitor?channel=1&subtype=0");
  EXPECT_EQ(scan::routes_for_brand("hikvision", true)->at(0).tmpl, "rtsp://{host}:{port}/Streaming/Channels/102");
  // No substream known for axis: the main stream, not a guess.
  EXPECT_EQ(scan::routes_for_brand("axis", true)->at(0).tmpl, "rtsp://{host}:{port}/axis-media/media.amp");
  // 3xlogic: its own path, then the Hikvision one it also answers on.
  const auto x = scan::routes_for_brand("3xlogic", false);
  ASSERT_EQ(x->size(), 2u);
  EXPECT_EQ(x->at(0).tmpl, "rtsp://{host}:{port}/CH001");
  EXPECT_FALSE(scan::routes_for_brand("acme", false));
}

TEST(Routes, TemplateExpansion) {
  EXPECT_EQ(scan::expand_template("rtsp://{host}:{port}/live/{host}", "10.0.0.2", 8554),
            "rtsp://10.0.0.2:8554/live/10.0.0.2");
  EXPECT_EQ(scan::expand_template("rtsp://{host}:{port}/x", "fe80::1", 554), "rtsp://[fe80::1]:554/x");
}

TEST(Routes, TemplateValidation) {
  EXPECT_EQ(scan::validate_template("rtsp://{host}:{port}/live"), "");
  EXPECT_EQ(scan::validate_template("rtsp://{host}/stream1"), "");
  EXPECT_NE(scan::validate_template("http://{host}/x"), "");
  EXPECT_NE(scan::validate_template("rtsp://10.0.0.1/x"), "");
  EXPECT_EQ(scan::validate_template("rtsp://{host}/ch{channel}/{stream}"), "");
  EXPECT_NE(scan::validate_template("rtsp://{host}/{camera}").find("{camera}"), std::string::npos);
  EXPECT_NE(scan::validate_template("rtsp://admin:pw@{host}/x").find("credentials"), std::string::npos);
}

TEST(Redaction, UserShownPasswordNever) {
  EXPECT_EQ(scan::redact_url("rtsp://10.0.0.1:554/Streaming/Channels/101", "admin"),
            "rtsp://admin:***@10.0.0.1:554/Streaming/Channels/101");
  EXPECT_EQ(scan::redact_url("rtsp://10.0.0.1/x", ""), "rtsp://10.0.0.1/x");
  EXPECT_EQ(scan::redact_url("rtsp://admin:hunter22@10.0.0.1/x?a=b", ""), "rtsp://admin:***@10.0.0.1/x?a=b");
  EXPECT_EQ(scan::redact_url("rtsp://admin:hunter22@10.0.0.1/x", "viewer"), "rtsp://viewer:***@10.0.0.1/x");
  EXPECT_EQ(scan::redact_url("rtsp://a b@10.0.0.1/", "a b"), "rtsp://a%20b:***@10.0.0.1/");
}

TEST(Redaction, ScrubSecret) {
  EXPECT_EQ(scan::scrub_secret("bad hunter22 here hunter22", "hunter22"), "bad *** here ***");
  // Short passwords are scrubbed too (they used to be left in reasons).
  EXPECT_EQ(scan::scrub_secret("401 for pw xy at host", "xy"), "401 for pw *** at host");
  EXPECT_EQ(scan::scrub_secret("a short one", "a"), "*** short one");
  // The URL-escaped form, as a library quoting the URL would show it.
  EXPECT_EQ(scan::scrub_secret("rtsp://u:p%40ss@h/ failed", "p@ss"), "rtsp://u:***@h/ failed");
  EXPECT_EQ(scan::scrub_secret("nothing", ""), "nothing");
}

TEST(Credentials, PasswordFileFirstLineOnly) {
  const std::string path = ::testing::TempDir() + "/pw.txt";
  ASSERT_TRUE(g_file_set_contents(path.c_str(), "s3cret\nsecond line\n", -1, nullptr));
  EXPECT_EQ(scan::read_password_file(path), "s3cret");
  try {
    scan::read_password_file("/nonexistent/pw");
    FAIL();
  } catch (const scan::CredentialError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/pw"), std::string::npos);
  }
  g_setenv("FOCUSMETER_TEST_PW", "from-env", TRUE);
  EXPECT_EQ(scan::resolve_password({"", "FOCUSMETER_TEST_PW"}), "from-env");
  EXPECT_THROW(scan::resolve_password({"", "FOCUSMETER_TEST_UNSET_PW"}), scan::CredentialError);
}

TEST(Classify, RtspErrorsToStatuses) {
  g_autoptr(GError) unauthorized = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED, "x");
  g_autoptr(GError) not_found = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND, "x");
  g_autoptr(GError) open = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ_WRITE, "x");
  g_autoptr(GError) read = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ, "x");
  g_autoptr(GError) decode = g_error_new_literal(GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE, "x");
  EXPECT_EQ(focusmeter::stream::classify_error(unauthorized, false), Status::AuthFailed);
  EXPECT_EQ(focusmeter::stream::classify_error(not_found, false), Status::NotFound);
  EXPECT_EQ(focusmeter::stream::classify_error(open, false), Status::Unreachable);
  EXPECT_EQ(focusmeter::stream::classify_error(open, true), Status::StreamError);
  EXPECT_EQ(focusmeter::stream::classify_error(read, false), Status::StreamError);
  EXPECT_EQ(focusmeter::stream::classify_error(decode, true), Status::StreamError);
}

TEST(CandidateRoutes, UrlTemplateBrandAndCameraList) {
  scan::ScanSettings s;
  scan::TargetSpec range;
  range.kind = scan::TargetSpec::Kind::Range;
  EXPECT_EQ(scan::candidate_routes(range, s).size(), 7u);
  s.url_template = "rtsp://{host}:{port}/live";
  ASSERT_EQ(scan::candidate_routes(range, s).size(), 1u);
  EXPECT_EQ(scan::candidate_routes(range, s)[0].brand, "custom");
  // A camera list's brand wins over the global template.
  scan::TargetSpec listed = range;
  listed.brand = "reolink";
  EXPECT_EQ(scan::candidate_routes(listed, s)[0].tmpl, "rtsp://{host}:{port}/h264Preview_01_main");
  scan::TargetSpec url;
  url.kind = scan::TargetSpec::Kind::Url;
  url.url = "rtsp://10.0.0.1/x";
  EXPECT_EQ(scan::candidate_routes(url, s)[0].tmpl, "rtsp://10.0.0.1/x");
}

TEST(Transport, NamesRoundTrip) {
  using focusmeter::stream::Transport;
  for (Transport t : {Transport::Auto, Transport::Tcp, Transport::Udp, Transport::Http})
    EXPECT_EQ(focusmeter::stream::parse_transport(focusmeter::stream::transport_name(t)), t);
  EXPECT_FALSE(focusmeter::stream::parse_transport("TCP"));
  EXPECT_FALSE(focusmeter::stream::parse_transport(""));
}

// NVRs: every brand's documented per-channel form; channel 1 unchanged.
TEST(Routes, ChannelsInEachBrandsForm) {
  auto path = [](const char* brand, bool sub, int channel) {
    return scan::routes_for_brand(brand, sub, channel)->at(0).tmpl.substr(std::string("rtsp://{host}:{port}").size());
  };
  EXPECT_EQ(path("hikvision", false, 16), "/Streaming/Channels/1601");
  EXPECT_EQ(path("hikvision", true, 3), "/Streaming/Channels/302");
  EXPECT_EQ(path("dahua", false, 12), "/cam/realmonitor?channel=12&subtype=0");
  EXPECT_EQ(path("amcrest", true, 2), "/cam/realmonitor?channel=2&subtype=1");
  EXPECT_EQ(path("reolink", false, 7), "/h264Preview_07_main");
  EXPECT_EQ(path("reolink", true, 12), "/h264Preview_12_sub");
  EXPECT_EQ(path("uniview", true, 4), "/unicast/c4/s1/live");
  EXPECT_EQ(path("axis", false, 1), "/axis-media/media.amp");
  EXPECT_EQ(path("axis", false, 3), "/axis-media/media.amp?camera=3");
  EXPECT_EQ(path("hanwha", false, 1), "/profile2/media.smp");
  EXPECT_EQ(path("hanwha", false, 2), "/1/profile2/media.smp");
  // 3xlogic's /CH001 names one camera: beyond channel 1 only its Hikvision form.
  const auto x = scan::routes_for_brand("3xlogic", false, 5);
  ASSERT_EQ(x->size(), 1u);
  EXPECT_EQ(x->at(0).tmpl, "rtsp://{host}:{port}/Streaming/Channels/501");
  EXPECT_EQ(scan::routes_for_brand("auto", false, 5)->size(), 6u);
}

TEST(Routes, ChannelListsAndTemplates) {
  std::string error;
  EXPECT_EQ(scan::parse_channels("1-4", error), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(scan::parse_channels("3, 1,5-6,3", error), (std::vector<int>{3, 1, 5, 6}));
  for (const char* bad : {"0", "4-2", "x", "1-", "300", "1;2", ""}) {
    error.clear();
    EXPECT_TRUE(scan::parse_channels(bad, error).empty()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  EXPECT_EQ(scan::fill_channel("rtsp://{host}/ch{channel}/{stream}", 9, true), "rtsp://{host}/ch9/sub");
  scan::ScanSettings s;
  s.url_template = "rtsp://{host}:{port}/live/{channel}/{stream}";
  scan::TargetSpec range;
  range.kind = scan::TargetSpec::Kind::Range;
  EXPECT_EQ(scan::candidate_routes(range, s, 0)[0].tmpl, "rtsp://{host}:{port}/live/1/main");
  EXPECT_EQ(scan::candidate_routes(range, s, 12)[0].tmpl, "rtsp://{host}:{port}/live/12/main");
}
