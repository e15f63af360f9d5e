// The human table: one line per result, aligned, coloured on a terminal,
// then one summary line.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/report.h"

namespace focusmeter::report {
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

std::string printable(const std::string& s) { return terminal_safe(s); }

std::vector<Cell> row_cells(const Result& r, ReportKind kind) {
  if (kind == ReportKind::Scan)
    return {{printable(r.host.empty() ? r.target : r.host) + (r.channel > 0 ? " ch" + std::to_string(r.channel) : "")},
            status_cell(r),
            verdict_cell(r),
            {format_score(r.score)},
            {format_resolution(r)},
            {r.brand.empty() ? "-" : printable(r.brand)},
            {printable(r.reason)}};
  return {{printable(r.source)},   {r.kind.empty() ? "-" : r.kind}, status_cell(r),  verdict_cell(r),
          {format_score(r.score)}, {format_resolution(r)},          {share_text(r)}, {printable(r.reason)}};
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

// Text from outside (file names, reasons quoting them, camera brands) is
// printed with its control characters made visible: an ESC could retitle
// the terminal or fake colours, a newline or CR could fake a row. C0, DEL
// and the UTF-8 encoded C1 controls (U+0080-U+009F, CSI among them).
std::string terminal_safe(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if (c >= 0x20 && c != 0x7F && !c1) {
      out += static_cast<char>(c);
      continue;
    }
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case 0x1B:
        out += "\\e";
        break;
      default: {
        const auto v = c1 ? static_cast<unsigned char>(s[++i]) : c;
        out += c1 ? "\\u00" : "\\x";
        out += kHex[v >> 4];
        out += kHex[v & 0xF];
      }
    }
  }
  return out;
}

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
  if (report.partial) out << "PARTIAL REPORT: " << printable(report.interrupted) << '\n';
  out << summary_line(summarize(report.results), report.kind) << '\n';
}

}  // namespace focusmeter::report
