// The blackbox ratchet (issue 13, after zxing-cpp's test/blackbox): frames
// made by the camera recipe (tools/scripts/make-blackbox.sh, its own seed),
// grouped by degradation kind, each with its physical label. The model the
// tools use by default (default_model(): models/default.json compiled in)
// judges every frame through the core's focus map (judge_frame), as
// `focusmeter check` does (UNKNOWN, nothing to judge, is not the expected
// verdict); a kind fails when fewer frames get their expected verdict than
// tests/blackbox/ratchet.csv says. The counts may only go up: when a
// better model passes more, raise them in the same commit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "focusmeter/focus_map.h"
#include "focusmeter/judgement.h"
#include "focusmeter/model.h"

namespace fm = focusmeter;

namespace {

const std::string kDir = std::string(FOCUSMETER_TEST_DATA) + "/blackbox/";

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::istringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace

TEST(Blackbox, NoKindPassesFewerFramesThanCommitted) {
  const fm::Model& model = *fm::default_model();

  const auto frames = read_csv(kDir + "expected.csv");
  const auto ratchet = read_csv(kDir + "ratchet.csv");
  ASSERT_GE(frames.size(), 50u) << "tests/blackbox/expected.csv is missing or short";
  ASSERT_FALSE(ratchet.empty()) << "tests/blackbox/ratchet.csv is missing";

  std::map<std::string, int> passed, total;
  for (const auto& row : frames) {
    ASSERT_GE(row.size(), 3u);
    const std::string& kind = row[0];
    const cv::Mat gray = cv::imread(kDir + row[1], cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(gray.empty()) << row[1] << " does not decode";
    // The verdict path of the element and every command: the focus map.
    const fm::Judgement j =
        fm::judge_frame(model, fm::LumaView(gray.data, gray.cols, gray.rows, static_cast<std::ptrdiff_t>(gray.step[0])))
            .judgement;
    const fm::Verdict expected = row[2] == "blurry" ? fm::Verdict::Blurry : fm::Verdict::Clear;
    ++total[kind];
    passed[kind] += j.verdict == expected;
  }

  for (const auto& row : ratchet) {
    ASSERT_EQ(row.size(), 2u);
    const std::string& kind = row[0];
    const int committed = std::stoi(row[1]);
    ASSERT_TRUE(total.count(kind)) << "ratchet.csv names kind " << kind << " that has no frames";
    std::printf("blackbox %-11s %2d / %2d pass (committed minimum %d)\n", kind.c_str(), passed[kind], total[kind],
                committed);
    EXPECT_GE(passed[kind], committed) << kind << ": fewer frames pass than the committed count";
    if (passed[kind] > committed)
      std::printf("  %s: more pass than committed: raise tests/blackbox/ratchet.csv to %d\n", kind.c_str(),
                  passed[kind]);
  }
  EXPECT_EQ(ratchet.size(), total.size()) << "every kind of expected.csv needs a line in ratchet.csv";
}
