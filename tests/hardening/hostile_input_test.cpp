// `focusmeter check` against hostile files: decompression bombs, FIFOs and
// other things that are not files, and names built to inject formulas into
// spreadsheets or escape sequences into terminals. Each is answered with a
// reason, quickly, and written out harmlessly.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "bombs.h"
#include "cli_run.h"

using hardening_test::read_file;
using hardening_test::run_focusmeter;
using hardening_test::TempDir;
using hardening_test::write_file;
using nlohmann::json;

namespace {

const json* result_for(const json& report, const std::string& source) {
  for (const json& r : report["results"])
    if (r["source"] == source) return &r;
  return nullptr;
}

TEST(Bombs, CheckRefusesEveryFormatWithAReason) {
  TempDir dir;
  write_file(dir / "bomb.jpg", bombs::jpeg(30000, 30000));
  write_file(dir / "bomb.png", bombs::png(30000, 30000));
  write_file(dir / "bomb.webp", bombs::webp(16383, 16383));
  write_file(dir / "bomb.tiff", bombs::tiff(30000, 30000));
  const auto run = run_focusmeter(
      {"check", "--format", "json", dir / "bomb.jpg", dir / "bomb.png", dir / "bomb.webp", dir / "bomb.tiff"});
  EXPECT_EQ(run.exit_code, 2) << run.err;  // not checked, none BLURRY
  const json report = json::parse(run.out);
  for (const char* name : {"bomb.jpg", "bomb.png", "bomb.webp", "bomb.tiff"}) {
    const json* r = result_for(report, dir / name);
    ASSERT_NE(r, nullptr) << name << "\n" << run.out;
    EXPECT_EQ((*r)["status"], "error") << name;
    EXPECT_TRUE((*r)["verdict"].is_null()) << name;
    EXPECT_EQ((*r)["reason"].get<std::string>().rfind("image too large (", 0), 0u) << (*r)["reason"];
  }
  EXPECT_EQ(result_for(report, dir / "bomb.jpg")->at("reason"),
            "image too large (30000\u00d730000 > 40000000 pixels, see --max-pixels)");
}

TEST(Bombs, MaxPixelsIsTheLimit) {
  TempDir dir;
  cv::Mat m(100, 200, CV_8UC3, cv::Scalar(10, 200, 30));
  cv::imwrite(dir / "small.png", m);
  auto run = run_focusmeter({"check", "--format", "json", "--max-pixels", "19999", dir / "small.png"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.out.find("image too large (200\u00d7100 > 19999 pixels"), std::string::npos) << run.out;
  run = run_focusmeter({"check", "--format", "json", "--max-pixels", "20000", dir / "small.png"});
  EXPECT_NE(run.exit_code, 2) << run.out << run.err;
  EXPECT_EQ(run.out.find("image too large"), std::string::npos) << run.out;
  run = run_focusmeter({"check", "--max-pixels", "0", dir / "small.png"});
  EXPECT_EQ(run.exit_code, 64);
}

TEST(NotFiles, FifoSocketDeviceAndLinksAreRefusedNotOpened) {
  TempDir dir;
  ASSERT_EQ(mkfifo((dir / "fifo.jpg").c_str(), 0600), 0);
  ASSERT_EQ(symlink((dir / "gone.jpg").c_str(), (dir / "dangling.jpg").c_str()), 0);
  ASSERT_EQ(symlink((dir / "loop.jpg").c_str(), (dir / "loop.jpg").c_str()), 0);
  const int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock_path = dir / "sock.png";
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::copy(sock_path.begin(), sock_path.end(), addr.sun_path);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  // Named on the command line: a FIFO with no writer would block an open() for ever.
  auto run = run_focusmeter(
      {"check", "--format", "json", dir / "fifo.jpg", dir / "dangling.jpg", dir / "loop.jpg", sock_path, "/dev/null"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  json report = json::parse(run.out);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {dir / "fifo.jpg", "not a regular file (a FIFO), not opened"},
      {dir / "dangling.jpg", "broken symbolic link"},
      {dir / "loop.jpg", "symbolic link loop"},
      {sock_path, "not a regular file (a socket), not opened"},
      {"/dev/null", "not a regular file (a character device), not opened"},
  };
  for (const auto& [source, reason] : expected) {
    const json* r = result_for(report, source);
    ASSERT_NE(r, nullptr) << source << "\n" << run.out;
    EXPECT_EQ((*r)["status"], "error") << source;
    EXPECT_EQ((*r)["reason"], reason) << source;
  }

  // Found in a folder: reported too, not skipped silently; a regular
  // non-media file is still skipped.
  write_file(dir / "notes.txt", std::string("hello"));
  run = run_focusmeter({"check", "--format", "json", dir.path()});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  report = json::parse(run.out);
  for (const auto& [source, reason] : expected) {
    if (source == "/dev/null") continue;
    const json* r = result_for(report, source);
    ASSERT_NE(r, nullptr) << source << "\n" << run.out;
    EXPECT_EQ((*r)["reason"], reason) << source;
  }
  EXPECT_EQ(result_for(report, dir / "notes.txt"), nullptr);
  close(sock);
}

// A real image under a hostile name, so it is checked and its name reaches every writer.
std::string hostile_name(const TempDir& dir, const std::string& name) {
  write_file(dir / name, bombs::encode(".png", 64, 64));
  return dir / name;
}

TEST(Injection, CsvDefusesFormulas) {
  TempDir dir;
  // The whole path starts with '/', so name the file relative to the folder.
  for (const char* name : {"=cmd|' /C calc'!A0.png", "+1.png", "-2.png", "@SUM(A1).png"}) hostile_name(dir, name);
  const std::string here = dir.path();
  std::vector<std::string> args = {"check", "--format", "csv", "--"};
  for (const char* name : {"=cmd|' /C calc'!A0.png", "+1.png", "-2.png", "@SUM(A1).png"}) args.push_back(name);
  // g_spawn_sync runs in our working directory: go there for relative names.
  const std::string back = std::filesystem::current_path();
  std::filesystem::current_path(here);
  const auto run = run_focusmeter(args);
  std::filesystem::current_path(back);
  ASSERT_NE(run.exit_code, -1) << run.err;
  std::istringstream lines(run.out);
  std::string line;
  std::getline(lines, line);  // header
  std::vector<std::string> first_cells;
  while (std::getline(lines, line)) first_cells.push_back(line.substr(0, line.find(',')));
  EXPECT_EQ(first_cells, (std::vector<std::string>{"'=cmd|' /C calc'!A0.png", "'+1.png", "'-2.png", "'@SUM(A1).png"}))
      << run.out;
}

TEST(Injection, TableShowsControlCharactersInsteadOfSendingThem) {
  TempDir dir;
  const std::string path = hostile_name(dir, "a\033]0;owned\007\nFAKE ROW\r.png");
  const auto run = run_focusmeter({"check", "--format", "table", "--color", "never", path});
  ASSERT_NE(run.exit_code, -1) << run.err;
  EXPECT_EQ(run.out.find('\033'), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find('\007'), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find('\r'), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("a\\e]0;owned\\x07\\nFAKE ROW\\r.png"), std::string::npos) << run.out;
  // Header, one row, the summary: the newline in the name made no row.
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 3) << run.out;
}

}  // namespace

// A camera list or targets file with bad content is bad input data (exit 65,
// like a bad model file), not a usage error (64): the command line was right.
// One line, no "--help" hint, and never an abort (1e400 used to throw out of
// nlohmann).
TEST(InputFiles, BadCamerasOrTargetsFileIsADataError) {
  TempDir dir;
  const std::string cameras = dir / "cameras.json";
  write_file(cameras, std::string(R"([{"host": "127.0.0.1", "port": 1e400}])"));
  const auto huge = run_focusmeter({"scan", "--cameras", cameras});
  EXPECT_EQ(huge.exit_code, 65) << huge.err;
  EXPECT_NE(huge.err.find("number overflow"), std::string::npos) << huge.err;
  EXPECT_EQ(huge.err.find("--help"), std::string::npos) << huge.err;

  const std::string targets = dir / "targets.txt";
  write_file(targets, std::string("127.0.0.1\n10.0.0.1-10.0.0.999\n"));
  const auto bad_line = run_focusmeter({"scan", "--targets", targets});
  EXPECT_EQ(bad_line.exit_code, 65) << bad_line.err;
  EXPECT_NE(bad_line.err.find(":2:"), std::string::npos) << "names the line: " << bad_line.err;

  // The same mistake on the command line stays a usage error.
  EXPECT_EQ(run_focusmeter({"scan", "10.0.0.1-10.0.0.999"}).exit_code, 64);
}
