// The HTML report: text escaped by GLib, long reasons wrap, a camera's
// name from --cameras above its address, and rows without a score keep an
// empty sort key (the page's script sorts those last in both directions).
#include <gtest/gtest.h>

#include <sstream>

#include "report/report.h"

namespace fc = focusmeter::report;

namespace {

TEST(HtmlReport, EscapesNamesAndKeepsEmptyKeysForMissingScores) {
  focusmeter::report::Report report;
  report.kind = focusmeter::report::ReportKind::Scan;
  report.started = "2026-12-03T10:00:00Z";
  focusmeter::report::Result named;
  named.target = "front <door> & 'gate'";
  named.host = "127.0.0.1";
  named.url = "rtsp://127.0.0.1:8554/live";
  named.status = focusmeter::report::Status::Timeout;
  named.reason = std::string(600, 'x') + " \"quoted\"";
  report.results.push_back(named);
  std::ostringstream out;
  focusmeter::report::write_html(out, report);
  const std::string html = out.str();
  EXPECT_NE(html.find("<b>front &lt;door&gt; &amp; &apos;gate&apos;</b><br>127.0.0.1"), std::string::npos) << html;
  EXPECT_NE(html.find("<td class=reason>" + std::string(600, 'x') + " &quot;quoted&quot;</td>"), std::string::npos);
  EXPECT_NE(html.find("td.reason{min-width:16em;max-width:40em;white-space:normal}"), std::string::npos);
  EXPECT_NE(html.find("<td data-k=''>-</td>"), std::string::npos) << "no score: empty sort key";
  EXPECT_NE(html.find("if(x===''||y==='')return (x==='')-(y==='');"), std::string::npos);
}

TEST(HtmlReport, PartialBanner) {
  focusmeter::report::Report report;
  report.partial = true;
  report.interrupted = "interrupted by SIGINT after 1 of 3 inputs";
  std::ostringstream out;
  focusmeter::report::write_html(out, report);
  EXPECT_NE(out.str().find("<p class=partial><b>Partial report:</b> interrupted by SIGINT after 1 of 3 inputs</p>"),
            std::string::npos);
}

}  // namespace
