#include "serve/request_checks.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <fstream>

namespace fs = focusmeter::serve;

TEST(BearerToken, MatchesOnlyTheExactToken) {
  const std::string token = "abcdefghijklmnop-123";
  EXPECT_TRUE(fs::bearer_token_matches("Bearer abcdefghijklmnop-123", token));
  EXPECT_TRUE(fs::bearer_token_matches("bearer abcdefghijklmnop-123", token));
  EXPECT_FALSE(fs::bearer_token_matches(nullptr, token));
  EXPECT_FALSE(fs::bearer_token_matches("", token));
  EXPECT_FALSE(fs::bearer_token_matches("Bearer ", token));
  EXPECT_FALSE(fs::bearer_token_matches("Bearer abcdefghijklmnop-12", token));
  EXPECT_FALSE(fs::bearer_token_matches("Bearer abcdefghijklmnop-1234", token));
  EXPECT_FALSE(fs::bearer_token_matches("Bearer Abcdefghijklmnop-123", token));
  EXPECT_FALSE(fs::bearer_token_matches("Basic abcdefghijklmnop-123", token));
  EXPECT_FALSE(fs::bearer_token_matches("abcdefghijklmnop-123", token));
  EXPECT_FALSE(fs::bearer_token_matches("Bearer x", ""));
}

TEST(ContentType, ImagesAndOctetStreamOnly) {
  EXPECT_TRUE(fs::is_image_content_type("image/jpeg"));
  EXPECT_TRUE(fs::is_image_content_type("IMAGE/PNG"));
  EXPECT_TRUE(fs::is_image_content_type("application/octet-stream"));
  EXPECT_FALSE(fs::is_image_content_type("application/json"));
  EXPECT_FALSE(fs::is_image_content_type("text/plain"));
  EXPECT_FALSE(fs::is_image_content_type(nullptr));
}

TEST(TokenFile, ReadsTheFirstLineTrimmedAndRefusesWeakOrMissing) {
  g_autofree char* dir = g_dir_make_tmp("serve-token-unit-XXXXXX", nullptr);
  ASSERT_NE(dir, nullptr);
  const std::string path = std::string(dir) + "/token";
  std::string token, err;

  std::ofstream(path) << "  0123456789abcdef-secret \nsecond line\n";
  ASSERT_TRUE(fs::read_token_file(path, token, err)) << err;
  EXPECT_EQ(token, "0123456789abcdef-secret");

  std::ofstream(path) << "short\n";
  EXPECT_FALSE(fs::read_token_file(path, token, err));
  EXPECT_NE(err.find("shorter than 16"), std::string::npos) << err;
  EXPECT_EQ(err.find("short\n"), std::string::npos);

  std::ofstream(path) << "two words in one token line\n";
  EXPECT_FALSE(fs::read_token_file(path, token, err));
  EXPECT_EQ(err.find("two words"), std::string::npos) << "the token must not be echoed: " << err;

  EXPECT_FALSE(fs::read_token_file(std::string(dir) + "/missing", token, err));
  EXPECT_NE(err.find("--token-file"), std::string::npos);

  g_unlink(path.c_str());
  g_rmdir(dir);
}
