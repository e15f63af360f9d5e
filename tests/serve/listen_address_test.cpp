#include "serve/listen_address.h"

#include <gtest/gtest.h>

namespace fs = focusmeter::serve;

TEST(ListenAddress, ParsesIPv4IPv6LocalhostAndBarePort) {
  fs::ListenAddress a;
  std::string err;
  ASSERT_TRUE(fs::parse_listen_address("127.0.0.1:8080", a, err)) << err;
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 8080);
  ASSERT_TRUE(fs::parse_listen_address("[::1]:0", a, err)) << err;
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 0);
  ASSERT_TRUE(fs::parse_listen_address("localhost:9000", a, err)) << err;
  EXPECT_EQ(a.host, "127.0.0.1");
  ASSERT_TRUE(fs::parse_listen_address(":9001", a, err)) << err;
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9001);
}

TEST(ListenAddress, RefusesMalformedWithOneLine) {
  fs::ListenAddress a;
  std::string err;
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "127.0.0.1:-1", "::1:80",
                          "[::1]", "[::1]80", "example.com:80", "300.1.1.1:80"}) {
    err.clear();
    EXPECT_FALSE(fs::parse_listen_address(bad, a, err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
    EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  }
}

TEST(ListenAddress, KnowsLoopback) {
  EXPECT_TRUE(fs::is_loopback("127.0.0.1"));
  EXPECT_TRUE(fs::is_loopback("127.3.2.1"));
  EXPECT_TRUE(fs::is_loopback("::1"));
  EXPECT_TRUE(fs::is_loopback("::ffff:127.0.0.1"));
  EXPECT_FALSE(fs::is_loopback("0.0.0.0"));
  EXPECT_FALSE(fs::is_loopback("::"));
  EXPECT_FALSE(fs::is_loopback("192.168.1.10"));
  EXPECT_FALSE(fs::is_loopback("::ffff:10.0.0.1"));
  EXPECT_FALSE(fs::is_loopback("not an address"));
}

TEST(ListenAddress, BaseUrlBracketsIPv6) {
  EXPECT_EQ(fs::base_url("127.0.0.1", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(fs::base_url("::1", 8080), "http://[::1]:8080");
}
