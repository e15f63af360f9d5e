// Reports: what scan and check print about their results, in every format.
//
// A command fills a Report (header fields, then one Result per input, in
// input order) and hands it to a ReportWriter made for the chosen format.
// Writers know nothing about scanning or checking: the ReportKind only picks
// which Result fields are columns ("target/host/url/brand" for scan,
// "source/kind/timeline/blurry_share" for check). Formats and JSON schema:
// docs/reports.md.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "report/result.h"

namespace focusmeter::report {

enum class ReportKind { Scan, Check };

enum class ReportFormat { Table, Json, Jsonl, Csv, Html, Nagios, Prometheus };
// "table", "json", "jsonl", "csv", "html", "nagios", "prometheus"; nullopt for anything else.
std::optional<ReportFormat> parse_report_format(std::string_view name);
const char* report_format_name(ReportFormat f);
// The format when none is asked for: from --output's extension (.json,
// .jsonl, .csv, .html/.htm, .prom), else table on a terminal, else json.
ReportFormat default_report_format(const std::string& output_path, bool stdout_is_tty);

struct Report {
  ReportKind kind = ReportKind::Check;
  std::string started;               // ISO 8601 UTC, e.g. 2026-11-26T00:17:02Z
  std::optional<std::string> model;  // model file used; nullopt = features only
  std::optional<double> threshold;   // the verdict threshold in effect
  std::vector<Result> results;       // input order
  double elapsed_ms = 0;             // whole run
  // Interrupted (SIGINT/SIGTERM): `results` holds only what finished, and
  // every format says so (JSON "partial": true and "interrupted": the why).
  bool partial = false;
  std::string interrupted;  // e.g. "interrupted by SIGINT after 3 of 10"
};

// The version of the reports' layout ("schema_version" in every JSON
// document; schemas/focusmeter-{check,scan}-report.schema.json; JSONL lines
// and CSV rows follow the same version). Bumped when a key or column changes
// meaning, moves or goes away, not when a key is added; docs/reports.md
// ("Versions") lists what each version changed.
//   1: the first (issue 15).
//   2: verdict UNKNOWN, score from the focus map, no_verdict, map,
//      unknown_share, scan's channel (a CSV column that moved the others).
constexpr int kReportSchemaVersion = 2;

// "2026-11-26T00:17:02Z" for now.
std::string utc_now_iso8601();

struct Summary {
  std::size_t total = 0;                              // results (JSON: "targets" for scan, "inputs" for check)
  std::array<std::size_t, kStatusCount> by_status{};  // indexed by Status
  std::size_t clear = 0;
  std::size_t blurry = 0;
  std::size_t no_verdict = 0;  // ok but no verdict: UNKNOWN, or --no-model
  std::size_t unknown = 0;     // of those, UNKNOWN (nothing to judge; not --no-model)

  std::size_t count(Status s) const { return by_status[static_cast<std::size_t>(s)]; }
  std::size_t not_checked() const { return total - count(Status::Ok); }
};
Summary summarize(const std::vector<Result>& results);

// The process exit status for monitoring (cli/exit_codes.h): 1 if any
// BLURRY, else 2 if any result is not ok or has no verdict (UNKNOWN,
// --no-model), or there is no result at all, else 0.
int exit_status(const Summary& s);

// Nagios/Icinga plugin convention, for --format nagios: 0 OK (all CLEAR),
// 2 CRITICAL (some BLURRY), 3 UNKNOWN (nothing judged at all: nothing
// checked, every verdict UNKNOWN, or --no-model), 1 WARNING (some not
// checked or UNKNOWN, none BLURRY, some judged).
int nagios_status(const Summary& s);
// The exit status for a finished report in `format` (nagios_status for
// nagios, else exit_status).
int exit_status_for(const Summary& s, ReportFormat format);

// One result / the whole report as JSON (schema in docs/reports.md).
nlohmann::json result_to_json(const Result& r, ReportKind kind);
nlohmann::json summary_to_json(const Summary& s, ReportKind kind);
nlohmann::json report_to_json(const Report& report);
// A focus map as the reports and serve's /v1/analyze give it: {cols, rows,
// scores, textured, overlay, soft_share, partial} (docs/reports.md).
nlohmann::json map_to_json(const MapSummary& map);

// Writes one report in one format. Call add() as each result finishes (jsonl
// writes its line then, so a long run streams), then finish() once with the
// complete report. Not thread-safe: call from one thread.
class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void add(const Result& r) { (void)r; }
  virtual void finish(const Report& report) = 0;
};

struct ReportStyle {
  bool color = false;  // ANSI colours in the table (on a tty)
};

// `out` must outlive the writer.
std::unique_ptr<ReportWriter> make_report_writer(ReportFormat format, std::ostream& out, ReportKind kind,
                                                 ReportStyle style = {});

// The single writers, for callers and tests that want them directly.
void write_table(std::ostream& out, const Report& report, ReportStyle style = {});
void write_json(std::ostream& out, const Report& report);
void write_jsonl_line(std::ostream& out, const Result& r, ReportKind kind);
void write_csv(std::ostream& out, const Report& report);
void write_html(std::ostream& out, const Report& report);
// One plugin status line with perfdata, e.g. "FOCUSMETER CRITICAL - 2 BLURRY
// of 10 inputs (7 CLEAR, 1 not checked) | inputs=10;;;0 clear=7;;;0 ...".
void write_nagios(std::ostream& out, const Report& report);
// scan only: the cameras' gauges (report/camera_metrics.h) for
// node_exporter's textfile collector, labelled by each result's `camera`
// and `name`, plus focusmeter_scan_partial (1 when the scan was
// interrupted: cameras not reached are missing).
void write_prometheus(std::ostream& out, const Report& report);

// Helpers shared by the writers.
std::string format_score(const std::optional<double>& score);  // "0.873" or "-"
std::string format_resolution(const Result& r);                // "1920x1080" or "-"
std::string verdict_text(const Result& r);                     // "CLEAR", "BLURRY", "UNKNOWN" or "-"
// Text from outside (file names, reasons) with control characters shown
// escaped (\e, \n, \r, \t, \xNN, \u0085) instead of sent to a terminal.
std::string terminal_safe(const std::string& s);

}  // namespace focusmeter::report
