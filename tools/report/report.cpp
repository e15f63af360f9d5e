// Report plumbing shared by every format: format names, summary counts, the
// exit status, small text helpers and the writer factory.
#include "report/report.h"

#include <cstdio>
#include <ctime>

#include "cli/exit_codes.h"

namespace focusmeter::report {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Writers that need the whole report (widths, summary, sorting) write it all
// at finish(); only jsonl streams.
class WholeReportWriter : public ReportWriter {
 public:
  WholeReportWriter(ReportFormat format, std::ostream& out, ReportStyle style)
      : format_(format), out_(out), style_(style) {}
  void finish(const Report& report) override {
    switch (format_) {
      case ReportFormat::Table:
        write_table(out_, report, style_);
        break;
      case ReportFormat::Json:
        write_json(out_, report);
        break;
      case ReportFormat::Csv:
        write_csv(out_, report);
        break;
      case ReportFormat::Html:
        write_html(out_, report);
        break;
      case ReportFormat::Nagios:
        write_nagios(out_, report);
        break;
      case ReportFormat::Prometheus:
        write_prometheus(out_, report);
        break;
      case ReportFormat::Jsonl:
        break;
    }
    out_.flush();
  }

 private:
  ReportFormat format_;
  std::ostream& out_;
  ReportStyle style_;
};

class JsonlWriter : public ReportWriter {
 public:
  JsonlWriter(std::ostream& out, ReportKind kind) : out_(out), kind_(kind) {}
  void add(const Result& r) override { write_jsonl_line(out_, r, kind_); }
  void finish(const Report&) override { out_.flush(); }

 private:
  std::ostream& out_;
  ReportKind kind_;
};

}  // namespace

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "table") return ReportFormat::Table;
  if (name == "json") return ReportFormat::Json;
  if (name == "jsonl") return ReportFormat::Jsonl;
  if (name == "csv") return ReportFormat::Csv;
  if (name == "html") return ReportFormat::Html;
  if (name == "nagios") return ReportFormat::Nagios;
  if (name == "prometheus") return ReportFormat::Prometheus;
  return std::nullopt;
}

const char* report_format_name(ReportFormat f) {
  switch (f) {
    case ReportFormat::Table:
      return "table";
    case ReportFormat::Json:
      return "json";
    case ReportFormat::Jsonl:
      return "jsonl";
    case ReportFormat::Csv:
      return "csv";
    case ReportFormat::Html:
      return "html";
    case ReportFormat::Nagios:
      return "nagios";
    case ReportFormat::Prometheus:
      return "prometheus";
  }
  return "json";
}

ReportFormat default_report_format(const std::string& output_path, bool stdout_is_tty) {
  if (!output_path.empty() && output_path != "-") {
    if (ends_with(output_path, ".jsonl")) return ReportFormat::Jsonl;
    if (ends_with(output_path, ".json")) return ReportFormat::Json;
    if (ends_with(output_path, ".csv")) return ReportFormat::Csv;
    if (ends_with(output_path, ".html") || ends_with(output_path, ".htm")) return ReportFormat::Html;
    if (ends_with(output_path, ".prom")) return ReportFormat::Prometheus;  // node_exporter's textfile collector
    return ReportFormat::Json;
  }
  return stdout_is_tty ? ReportFormat::Table : ReportFormat::Json;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Summary summarize(const std::vector<Result>& results) {
  Summary s;
  for (const Result& r : results) {
    ++s.total;
    ++s.by_status[static_cast<std::size_t>(r.status)];
    if (r.status != Status::Ok) continue;
    if (!r.verdict) {
      ++s.no_verdict;
      if (is_unknown(r)) ++s.unknown;
    } else if (*r.verdict == Verdict::Blurry)
      ++s.blurry;
    else
      ++s.clear;
  }
  return s;
}

int exit_status(const Summary& s) {
  if (s.blurry > 0) return cli::kExitBlurry;
  // Nothing listed at all (a scanned range where no camera answered) is not
  // "all clear": a wrong --port must not look healthy.
  if (s.not_checked() > 0 || s.total == 0 || s.no_verdict > 0) return cli::kExitUnchecked;
  return cli::kExitAllClear;
}

int nagios_status(const Summary& s) {
  if (s.blurry > 0) return 2;
  if (s.clear == 0) return 3;  // nothing judged
  if (s.not_checked() > 0 || s.no_verdict > 0) return 1;
  return 0;
}

int exit_status_for(const Summary& s, ReportFormat format) {
  return format == ReportFormat::Nagios ? nagios_status(s) : exit_status(s);
}

void write_nagios(std::ostream& out, const Report& report) {
  static const char* const kState[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
  const Summary s = summarize(report.results);
  const char* what = report.kind == ReportKind::Scan ? "targets" : "inputs";
  const int state = nagios_status(s);
  out << "FOCUSMETER " << kState[state] << " - ";
  if (state == 3 && s.count(Status::Ok) == 0)
    out << "nothing could be checked (" << s.total << ' ' << what << ")";
  else if (state == 3)
    out << "nothing could be judged (" << s.total << ' ' << what << ", " << s.unknown << " UNKNOWN, " << s.not_checked()
        << " not checked)";
  else
    out << s.blurry << " BLURRY of " << s.total << ' ' << what << " (" << s.clear << " CLEAR, " << s.not_checked()
        << " not checked" << (s.unknown ? ", " + std::to_string(s.unknown) + " UNKNOWN" : "")
        << (s.no_verdict > s.unknown ? ", " + std::to_string(s.no_verdict - s.unknown) + " without verdict" : "")
        << ")";
  if (report.partial) out << ", partial: " << report.interrupted;
  // Perfdata: label=value[UOM];warn;crit;min;max. BLURRY is critical at 1.
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.3fs", report.elapsed_ms / 1000.0);
  out << " | " << what << '=' << s.total << ";;;0 ok=" << s.count(Status::Ok) << ";;;0 clear=" << s.clear
      << ";;;0 blurry=" << s.blurry << ";;1;0 unknown=" << s.unknown << ";;;0 not_checked=" << s.not_checked()
      << ";1;;0 elapsed=" << elapsed << ";;;0\n";
}

std::string format_score(const std::optional<double>& score) {
  if (!score) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", *score);
  return buf;
}

std::string format_resolution(const Result& r) {
  if (r.width <= 0 || r.height <= 0) return "-";
  return std::to_string(r.width) + "x" + std::to_string(r.height);
}

std::string verdict_text(const Result& r) {
  if (r.verdict) return verdict_name(*r.verdict);
  return is_unknown(r) ? "UNKNOWN" : "-";
}

std::unique_ptr<ReportWriter> make_report_writer(ReportFormat format, std::ostream& out, ReportKind kind,
                                                 ReportStyle style) {
  if (format == ReportFormat::Jsonl) return std::make_unique<JsonlWriter>(out, kind);
  return std::make_unique<WholeReportWriter>(format, out, style);
}

}  // namespace focusmeter::report
