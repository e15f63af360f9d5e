// The human table: one line per result, aligned, coloured on a terminal,
// then one summary line.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/report.h"

namespace focusmeter::cli {
namespace {

enum class Tone { None, Good, Bad, Warn };

struct Cell {
  std::string text;
  Tone tone = Tone::None;
};

const char* ansi(Tone t) {
  switch (t) {
    case Tone::Good:
      return "\033[32m";
    case Tone::Bad:
      return "\033[1;31m";
    case Tone::Warn:
      return "\033[33m";
    case Tone::None:
      break;
  }
  return "";
}

Cell verdict_cell(const Result& r) {
  if (!r.verdict) return {"-"};
  return {verdict_name(*r.verdict), *r.verdict == Verdict::Blurry ? Tone::Bad : Tone::Good};
}

Cell status_cell(const Result& r) { return {status_name(r.status), r.status == Status::Ok ? Tone::None : Tone::Warn}; }

std::string share_text(const Result& r) {
  if (!r.blurry_share) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", std::round(*r.blurry_share * 100));
  return buf;
}

// Reasons are one line by contract; make sure a stray newline cannot break the table.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

std::vector<Cell> row_cells(const Result& r, ReportKind kind) {
  if (kind == ReportKind::Scan)
    return {{r.host.empty() ? r.target : r.host},
            status_cell(r),
            verdict_cell(r),
            {format_score(r.score)},
            {format_resolution(r)},
            {r.brand.empty() ? "-" : r.brand},
            {one_line(r.reason)}};
  return {{r.source},
          {r.kind.empty() ? "-" : r.kind},
          status_cell(r),
          verdict_cell(r),
          {format_score(r.score)},
          {format_resolution(r)},
          {share_text(r)},
          {one_line(r.reason)}};
}

std::string summary_line(const Summary& s, ReportKind kind) {
  std::string line = std::to_string(s.total) + (kind == ReportKind::Scan ? " targets: " : " inputs: ") +
                     std::to_string(s.count(Status::Ok)) + " ok (" + std::to_string(s.clear) + " CLEAR, " +
                     std::to_string(s.blurry) + " BLURRY";
  if (s.no_verdict) line += ", " + std::to_string(s.no_verdict) + " without verdict";
  line += ")";
  for (std::size_t i = 0; i < s.by_status.size(); ++i) {
    const auto st = static_cast<Status>(i);
    if (st != Status::Ok && s.by_status[i]) line += ", " + std::to_string(s.by_status[i]) + " " + status_name(st);
  }
  return line;
}

}  // namespace

void write_table(std::ostream& out, const Report& report, ReportStyle style) {
  const std::vector<std::string> header =
      report.kind == ReportKind::Scan
          ? std::vector<std::string>{"HOST", "STATUS", "VERDICT", "SCORE", "RESOLUTION", "BRAND/ROUTE", "REASON"}
          : std::vector<std::string>{"SOURCE", "KIND", "STATUS", "VERDICT", "SCORE", "RESOLUTION", "BLURRY", "REASON"};
  std::vector<std::vector<Cell>> rows;
  rows.reserve(report.results.size());
  for (const Result& r : report.results) rows.push_back(row_cells(r, report.kind));

  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].text.size());

  auto emit = [&](const std::vector<Cell>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const bool last = c + 1 == cells.size();
      std::string text = cells[c].text;
      // Pad before colouring so escape codes do not upset the alignment.
      if (!last) text.resize(width[c], ' ');
      if (style.color && cells[c].tone != Tone::None)
        line += std::string(ansi(cells[c].tone)) + text + "\033[0m";
      else
        line += text;
      if (!last) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };

  std::vector<Cell> head;
  for (const auto& h : header) head.push_back({h});
  emit(head);
  for (const auto& row : rows) emit(row);
  out << summary_line(summarize(report.results), report.kind) << '\n';
}

}  // namespace focusmeter::cli
