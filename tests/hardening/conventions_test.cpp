// What operators' other tools do, focusmeter does too: real reports
// validate against the shipped JSON Schemas, --format nagios follows the
// plugin convention, --version on every command names the versions in use,
// and --help lists the report options.
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include "../common/refusing_port.h"
#include "bombs.h"
#include "cli_run.h"

using hardening_test::run_focusmeter;
using hardening_test::TempDir;
using hardening_test::write_file;

namespace {

const std::string kSchemas = std::string(FOCUSMETER_SOURCE_ROOT) + "/schemas/";

// Validates with Debian's python3-jsonschema (tools/scripts/install-deps.sh).
std::string validate(const std::string& document_path, const std::string& schema) {
  const std::vector<std::string> argv = {
      "/usr/bin/python3", "-c",
      "import json,sys,jsonschema\n"
      "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\n"
      "print('valid')",
      document_path, kSchemas + schema};
  std::vector<const char*> args;
  for (const auto& a : argv) args.push_back(a.c_str());
  args.push_back(nullptr);
  g_autofree gchar* out = nullptr;
  g_autofree gchar* err = nullptr;
  gint status = 0;
  if (!g_spawn_sync(nullptr, const_cast<gchar**>(args.data()), nullptr, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err,
                    &status, nullptr))
    return "cannot run python3";
  return std::string(out ? out : "") + (err ? err : "");
}

using focusmeter_test::RefusingPort;

TEST(Schemas, CheckReportValidates) {
  TempDir dir;
  write_file(dir / "good.png", bombs::picture(".png", 128, 96));
  write_file(dir / "bomb.jpg", bombs::jpeg(30000, 30000));
  write_file(dir / "notes.jpg", std::string("not an image"));
  const std::string out = dir / "report.json";
  const auto run = run_focusmeter(
      {"check", "--output", out, dir / "good.png", dir / "bomb.jpg", dir / "notes.jpg", dir / "missing.png"});
  ASSERT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(validate(out, "focusmeter-check-report.schema.json"), "valid\n");
  // And a document that breaks the contract is caught (the validator is not a rubber stamp).
  write_file(dir / "bad.json", std::string(R"({"schema_version": 2, "command": "check"})"));
  EXPECT_NE(validate(dir / "bad.json", "focusmeter-check-report.schema.json"), "valid\n");
  // Version 2 (docs/reports.md, Versions): the same report claiming version
  // 1 does not validate, so a consumer pinned to 1 is told.
  const std::string report = hardening_test::read_file(out);
  const std::string v2 = "\"schema_version\": 2";
  ASSERT_NE(report.find(v2), std::string::npos) << report;
  std::string v1 = report;
  v1.replace(v1.find(v2), v2.size(), "\"schema_version\": 1");
  write_file(dir / "v1.json", v1);
  EXPECT_NE(validate(dir / "v1.json", "focusmeter-check-report.schema.json"), "valid\n");
}

TEST(Schemas, ScanReportValidates) {
  TempDir dir;
  RefusingPort port;
  ASSERT_NE(port.port(), 0);
  const std::string out = dir / "scan.json";
  const auto run = run_focusmeter(
      {"scan", "--all", "--port", std::to_string(port.port()), "--probe-timeout", "1", "--output", out, "127.0.0.1"});
  ASSERT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(validate(out, "focusmeter-scan-report.schema.json"), "valid\n");
}

TEST(Nagios, OneLineWithPerfdataAndPluginExitCodes) {
  TempDir dir;
  write_file(dir / "bomb.jpg", bombs::jpeg(30000, 30000));
  write_file(dir / "good.png", bombs::picture(".png", 128, 96));
  // Nothing checked at all: UNKNOWN.
  auto run = run_focusmeter({"check", "--format", "nagios", dir / "bomb.jpg"});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_EQ(run.out.rfind("FOCUSMETER UNKNOWN - nothing could be checked (1 inputs) | inputs=1;;;0 ok=0;;;0", 0), 0u)
      << run.out;
  // Some checked, one not: WARNING unless the image is BLURRY (CRITICAL).
  run = run_focusmeter({"check", "--format", "nagios", dir / "good.png", dir / "bomb.jpg"});
  const std::regex line(
      R"(FOCUSMETER (WARNING|CRITICAL) - ([01]) BLURRY of 2 inputs \(([01]) CLEAR, 1 not checked\) \| inputs=2;;;0 ok=1;;;0 clear=[01];;;0 blurry=[01];;1;0 unknown=0;;;0 not_checked=1;1;;0 elapsed=[0-9.]+s;;;0
)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(run.out, m, line)) << run.out;
  EXPECT_EQ(run.exit_code, m[1] == "WARNING" ? 1 : 2);
  EXPECT_EQ(m[1] == "CRITICAL", m[2] == "1");
}

TEST(Version, EveryCommandNamesTheVersionsInUse) {
  for (const char* command : {"check", "scan", "serve", "train"}) {
    const auto run = run_focusmeter({command, "--version"});
    EXPECT_EQ(run.exit_code, 0) << command;
    const std::regex text(
        "focusmeter [0-9.]+\nGStreamer 1\\.[0-9.]+ \\(built against [0-9.]+\\)\nOpenCV 4\\.[0-9.]+\nmodel .*\n");
    EXPECT_TRUE(std::regex_match(run.out, text)) << command << ":\n" << run.out;
  }
}

TEST(Help, ReportOptionsAreInPlainHelp) {
  for (const char* command : {"check", "scan"}) {
    const auto run = run_focusmeter({command, "--help"}, {{"LC_ALL", "C.UTF-8"}});
    EXPECT_EQ(run.exit_code, 0) << command;
    for (const char* option : {"--format", "--output", "--snapshots", "--max-pixels"}) {
      if (std::string(command) == "scan" && std::string(option) == "--max-pixels") continue;
      EXPECT_NE(run.out.find(option), std::string::npos) << command << " " << option << "\n" << run.out;
    }
    EXPECT_NE(run.out.find("[OPTION\u2026]"), std::string::npos) << run.out;
  }
}

TEST(QuietVerbose, VerboseLogsEachResultQuietSilencesNotes) {
  TempDir dir;
  write_file(dir / "a.png", bombs::encode(".png", 64, 48));
  write_file(dir / "b\033]0;x.jpg", bombs::jpeg(30000, 30000));
  auto run = run_focusmeter({"check", "--no-model", "-f", "json", "-v", dir / "a.png", dir / "b\033]0;x.jpg"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("reporting features only"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("/a.png: ok"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("/b\\e]0;x.jpg: error (image too large"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("focusmeter check: [2/2] "), std::string::npos) << run.err;
  run = run_focusmeter({"check", "--no-model", "-f", "json", "-q", dir / "a.png"});
  EXPECT_EQ(run.exit_code, 2) << run.err;  // features only: nothing judged
  EXPECT_EQ(run.err, "");
}

}  // namespace
