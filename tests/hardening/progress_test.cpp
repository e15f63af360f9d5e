// The progress line keeps moving while nothing finishes (a camera waiting
// out its timeout), and shows rate and time left once something has.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "cli/progress.h"

namespace fc = focusmeter::cli;

namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::string s(static_cast<std::size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  s.resize(std::fread(s.data(), 1, s.size(), f));
  std::fseek(f, 0, SEEK_END);
  return s;
}

TEST(ProgressTimer, RedrawsWithoutResults) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    fc::ProgressLine p(f, 5, true);
    usleep(1200 * 1000);  // no update: only the timer can draw
    const std::string drawn = contents(f);
    EXPECT_NE(drawn.find("0/5 done, 0 found, 0 BLURRY, "), std::string::npos) << drawn;
    EXPECT_GE(std::count(drawn.begin(), drawn.end(), '\r'), 2) << drawn;  // drawn again and again
  }
  std::fclose(f);
}

TEST(ProgressTimer, RateAndEta) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  fc::ProgressLine p(f, 4, false);
  focusmeter::report::Result r;
  r.status = focusmeter::report::Status::Ok;
  usleep(100 * 1000);
  p.update(r);
  const std::string text = p.text();
  EXPECT_NE(text.find("/s, ETA "), std::string::npos) << text;
  p.update(r);
  p.update(r);
  p.update(r);
  EXPECT_EQ(p.text().find("ETA"), std::string::npos) << p.text();  // all done: no time left to show
  std::fclose(f);
}

TEST(ProgressTimer, ShortDurations) {
  EXPECT_EQ(fc::short_duration(42.4), "42s");
  EXPECT_EQ(fc::short_duration(185), "3m05s");
  EXPECT_EQ(fc::short_duration(3720), "1h02m");
}

}  // namespace
