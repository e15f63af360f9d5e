// The command-line helpers every subcommand shares (tools/cli, tools/gstreamer/credentials): URL
// parsing and redaction, the secret-file reader, credentials from options,
// model loading, and the GOption string owners.
#include <glib.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "cli/model_loading.h"
#include "cli/secret_file.h"
#include "cli/url.h"
#include "gstreamer/credentials.h"

namespace gst = focusmeter::gst;

using namespace focusmeter::cli;
using namespace focusmeter::gst;

namespace {

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  EXPECT_TRUE(g_file_set_contents(path.c_str(), content.data(), static_cast<gssize>(content.size()), nullptr));
  return path;
}

}  // namespace

TEST(Url, ParseSplitsCredentialsOff) {
  const auto u = parse_url("rtsp://admin:hun%40ter22@127.0.0.1:8554/cam?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "rtsp");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8554);
  EXPECT_EQ(u->user, "admin");
  EXPECT_EQ(u->password, "hun@ter22");
  EXPECT_EQ(u->bare, "rtsp://127.0.0.1:8554/cam?x=1");
  EXPECT_EQ(parse_url("rtsp://cam.lan/live")->port, -1);
  EXPECT_FALSE(parse_url("not a url"));
  EXPECT_FALSE(parse_url("rtsp:///nohost"));
}

TEST(Url, PasswordDetection) {
  EXPECT_TRUE(url_has_password("rtsp://admin:hunter22@127.0.0.1:9/cam"));
  EXPECT_TRUE(url_has_password("http://u:p@h/"));
  EXPECT_TRUE(url_has_password("rtsp://u:p@[bad/"));  // unparseable, still refused
  EXPECT_FALSE(url_has_password("rtsp://admin@127.0.0.1/cam"));
  EXPECT_FALSE(url_has_password("rtsp://127.0.0.1/a:b@c"));
  EXPECT_FALSE(url_has_password("/photos/a:b@c.jpg"));
}

TEST(Url, Redaction) {
  EXPECT_EQ(redact_url("rtsp://admin:hunter22@10.0.0.1/x", ""), "rtsp://admin:***@10.0.0.1/x");
  EXPECT_EQ(redact_url("rtsp://10.0.0.1/x", "viewer"), "rtsp://viewer:***@10.0.0.1/x");
  EXPECT_EQ(scrub_secret("ab ab", "ab"), "*** ***");
  // Cameras that take credentials in the query.
  EXPECT_EQ(redact_url("rtsp://10.0.0.1/cam/realmonitor?channel=1&user=admin&password=hunter22", ""),
            "rtsp://10.0.0.1/cam/realmonitor?channel=1&user=admin&password=***");
  EXPECT_EQ(redact_url("rtsp://10.0.0.1/live?PWD=hunter22;token=abc#frag", ""),
            "rtsp://10.0.0.1/live?PWD=***;token=***#frag");
  EXPECT_EQ(redact_url("rtsp://10.0.0.1/live?pass%77ord=hunter22&x", ""), "rtsp://10.0.0.1/live?pass%77ord=***&x");
  EXPECT_EQ(redact_url("rtsp://10.0.0.1/live?password=&keep=1&", ""), "rtsp://10.0.0.1/live?password=&keep=1&");
  EXPECT_EQ(query_secrets("rtsp://10.0.0.1/live?user=a&pwd=p%40ss&token=t#pwd=x"),
            (std::vector<std::string>{"p@ss", "p%40ss", "t"}));
  EXPECT_TRUE(query_secrets("rtsp://10.0.0.1/live").empty());
}

TEST(SecretFile, FirstLineNeverEchoed) {
  std::string line, error;
  ASSERT_TRUE(read_secret_file(temp_file("s1", "top-secret\r\nsecond\n"), line, error)) << error;
  EXPECT_EQ(line, "top-secret");
  ASSERT_TRUE(read_secret_file(temp_file("s2", ""), line, error));
  EXPECT_EQ(line, "");
  EXPECT_FALSE(read_secret_file(temp_file("s3", std::string("bin\0ary-secret", 14)), line, error));
  EXPECT_NE(error.find("not a text file"), std::string::npos);
  EXPECT_EQ(error.find("ary-secret"), std::string::npos);
  EXPECT_FALSE(read_secret_file("/nonexistent/secret", line, error));
  EXPECT_NE(error.find("/nonexistent/secret"), std::string::npos);
}

TEST(Credentials, FromOptions) {
  g_unsetenv("FOCUSMETER_PASSWORD");
  EXPECT_TRUE(gst::credentials_from_options(nullptr, nullptr).empty());
  const std::string pw = temp_file("pw", "hunter22\n");
  gst::StreamCredentials c = gst::credentials_from_options(nullptr, pw.c_str());
  EXPECT_EQ(c.user, "admin");  // a password without a user
  EXPECT_EQ(c.password, "hunter22");
  g_setenv("FOCUSMETER_PASSWORD", "from-env", TRUE);
  c = gst::credentials_from_options("viewer", nullptr);
  EXPECT_EQ(c.user, "viewer");
  EXPECT_EQ(c.password, "from-env");
  c = gst::credentials_from_options("viewer", pw.c_str());  // the file wins
  EXPECT_EQ(c.password, "hunter22");
  g_unsetenv("FOCUSMETER_PASSWORD");
  try {
    gst::credentials_from_options(nullptr, temp_file("empty-pw", "\n").c_str());
    FAIL() << "an empty password file must be refused";
  } catch (const CredentialError& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos);
  }
  EXPECT_THROW(gst::credentials_from_options(nullptr, "/nonexistent/pw"), CredentialError);
}

TEST(ModelLoading, NamedMustLoadTheCompiledInOneIsAlwaysThere) {
  const std::string model = std::string(FOCUSMETER_TEST_DATA) + "/models/check-model.json";
  g_unsetenv("FOCUSMETER_MODEL");
  ModelChoice c = choose_model(model.c_str(), false);
  ASSERT_TRUE(c.model);
  EXPECT_EQ(c.origin, model);

  // Missing: exit 64 (a wrong name); invalid: exit 65.
  try {
    choose_model("/nonexistent/model.json", false);
    ADD_FAILURE() << "a missing named model loaded";
  } catch (const focusmeter::ModelError& e) {
    EXPECT_EQ(model_error_exit_status(e), kExitUsage) << e.what();
  }
  const std::string bad = temp_file("bad-model.json", "{not json");
  try {
    choose_model(bad.c_str(), false);
    ADD_FAILURE() << "an invalid named model loaded";
  } catch (const focusmeter::ModelError& e) {
    EXPECT_EQ(model_error_exit_status(e), kExitDataError) << e.what();
  }

  // None named, no environment: the compiled-in model, never features only.
  c = choose_model(nullptr, false);
  ASSERT_TRUE(c.model);
  EXPECT_EQ(c.origin, focusmeter::kCompiledInModelOrigin);
  // --no-model is the only way to features only.
  c = choose_model(nullptr, true);
  EXPECT_FALSE(c.model);

  // $FOCUSMETER_MODEL names a model: the same rules as --model.
  g_setenv("FOCUSMETER_MODEL", "/nonexistent/default.json", TRUE);
  EXPECT_THROW(choose_model(nullptr, false), focusmeter::ModelFileMissing);
  EXPECT_EQ(choose_model(model.c_str(), false).origin, model) << "--model wins over the variable";
  g_setenv("FOCUSMETER_MODEL", model.c_str(), TRUE);
  EXPECT_EQ(choose_model(nullptr, false).origin, model);
  g_setenv("FOCUSMETER_MODEL", bad.c_str(), TRUE);  // exists but broken: stops the command
  EXPECT_THROW(choose_model(nullptr, false), focusmeter::ModelError);
  g_unsetenv("FOCUSMETER_MODEL");
}

TEST(OptionStrings, OwnWhatGOptionParses) {
  OptionString model;
  OptionStrings rest;
  gint jobs = 0;
  const GOptionEntry entries[] = {
      {"model", 'm', 0, G_OPTION_ARG_FILENAME, model.slot(), "", "FILE"},
      {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "", "N"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, rest.slot(), nullptr, nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new(nullptr);
  g_option_context_add_main_entries(ctx, entries, nullptr);
  const char* args[] = {"focusmeter", "-m", "m.json", "a", "b", nullptr};
  int argc = 5;
  // GOption removes what it parses from argv without freeing it (argv is
  // normally main's), so the strings are owned by a copy parse never sees.
  g_auto(GStrv) owned = g_strdupv(const_cast<gchar**>(args));
  std::vector<gchar*> view(owned, owned + argc + 1);
  gchar** argv = view.data();
  ASSERT_TRUE(g_option_context_parse(ctx, &argc, &argv, nullptr));
  EXPECT_TRUE(model.given());
  EXPECT_STREQ(model.get(), "m.json");
  std::string seen;
  for (const gchar* a : rest) seen += a;
  EXPECT_EQ(seen, "ab");
  OptionString unset;
  EXPECT_FALSE(unset.given());
  EXPECT_EQ(unset.or_else("dflt"), "dflt");
  OptionStrings none;
  EXPECT_TRUE(none.empty());
  for (const gchar* a : none) ADD_FAILURE() << a;
}
