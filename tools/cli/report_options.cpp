#include "cli/report_options.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include <cstring>
#include <iostream>
#include <vector>

namespace focusmeter::cli {
namespace {

// A new, empty, uniquely named file next to `path` (".NAME.XXXXXX": same
// folder, so the final rename is atomic; hidden, so a folder watcher or
// `check DIR` does not take it for a report). Permissions as a plain
// creat() would give (0666 minus the umask), not mkstemp's 0600.
bool open_temp(const std::string& path, std::ofstream& file, std::string& temp, std::string& error) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string templ = dir + "." + name + ".XXXXXX";
  const int fd = ::mkstemp(templ.data());
  if (fd < 0) {
    error = "cannot write --output " + path + ": " + std::strerror(errno);
    return false;
  }
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  file.open(templ, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!file) {
    error = "cannot write --output " + path + ": " + std::strerror(errno);
    ::unlink(templ.c_str());
    return false;
  }
  temp = templ;
  return true;
}

}  // namespace

ReportOptions::~ReportOptions() {
  g_free(format);
  g_free(output);
  g_free(snapshots);
  g_free(color);
}

namespace {

std::vector<GOptionEntry> report_entries(ReportOptions& o) {
  return {
      {"format", 'f', 0, G_OPTION_ARG_STRING, &o.format,
       "Report format: table, json, jsonl, csv, html, nagios, prometheus (scan: node_exporter textfile) (default: "
       "from --output's extension, .prom for prometheus, else table on a terminal, else json)",
       "FORMAT"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "Write the report to FILE instead of standard output",
       "FILE"},
      {"snapshots", 0, 0, G_OPTION_ARG_FILENAME, &o.snapshots, "Save each analysed frame as a JPEG in DIR", "DIR"},
      {"show", 0, 0, G_OPTION_ARG_NONE, &o.show, "Show each analysed frame on screen with its verdict (q: stop)",
       nullptr},
      {"color", 0, 0, G_OPTION_ARG_STRING, &o.color, "Colour the table: auto (on a terminal), always, never", "WHEN"},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No progress line and no notes on standard error (errors still)",
       nullptr},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "One line per finished input on standard error", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
}

}  // namespace

GOptionGroup* report_option_group(ReportOptions& o) {
  const std::vector<GOptionEntry> entries = report_entries(o);
  GOptionGroup* group = g_option_group_new("report", "Report options:", "Show report options", nullptr, nullptr);
  g_option_group_add_entries(group, entries.data());
  return group;
}

void add_report_options(GOptionContext* ctx, ReportOptions& o) {
  const std::vector<GOptionEntry> entries = report_entries(o);
  g_option_context_add_main_entries(ctx, entries.data(), nullptr);  // copied: `entries` may go
}

bool ReportOutput::open(const ReportOptions& opts, report::ReportKind kind, std::string& error) {
  quiet_ = opts.quiet;
  verbose_ = opts.verbose && !opts.quiet;
  kind_ = kind;
  output_path_ = opts.output ? opts.output : "";
  const bool to_stdout = output_path_.empty() || output_path_ == "-";
  const bool stdout_tty = isatty(STDOUT_FILENO) == 1;
  if (opts.format) {
    const auto f = report::parse_report_format(opts.format);
    if (!f) {
      error = std::string("unknown --format '") + opts.format + "' (table, json, jsonl, csv, html, nagios, prometheus)";
      return false;
    }
    format_ = *f;
  } else {
    format_ = report::default_report_format(output_path_, stdout_tty);
  }
  // Gauges are per camera: a check of files has no camera to label them by.
  if (format_ == report::ReportFormat::Prometheus && kind != report::ReportKind::Scan) {
    error = "--format prometheus is scan's (per-camera gauges); check writes table, json, jsonl, csv, html or nagios";
    return false;
  }
  report::ReportStyle style;
  const std::string color = opts.color ? opts.color : "auto";
  if (color == "always")
    style.color = true;
  else if (color == "auto")
    style.color = to_stdout && stdout_tty && !std::getenv("NO_COLOR");
  else if (color != "never") {
    error = "unknown --color '" + color + "' (auto, always, never)";
    return false;
  }
  if (opts.snapshots) {
    snapshot_dir_ = opts.snapshots;
    if (!media::prepare_snapshot_dir(snapshot_dir_, error)) return false;
  }
  if (opts.show) {
    viewer_ = media::FrameViewer::open(error);
    if (!viewer_) return false;
  }
  if (to_stdout) {
    stdout_ = &std::cout;
  } else {
    if (!open_temp(output_path_, file_, temp_path_, error)) return false;
  }
  writer_ = report::make_report_writer(format_, stream(), kind, style);
  return true;
}

void ReportOutput::show(const cv::Mat& frame, const report::Result& r, const std::string& label) {
  if (viewer_ && !viewer_->show(frame, r, label)) viewer_.reset();
}

bool ReportOutput::finish(const report::Report& report, std::string& error) {
  writer_->finish(report);
  std::ostream& out = stream();
  out.flush();
  if (file_.is_open()) file_.close();
  if (!out) {
    error =
        "writing the report " + (output_path_.empty() ? std::string("to standard output") : output_path_) + " failed";
    return false;
  }
  if (!temp_path_.empty()) {
    if (std::rename(temp_path_.c_str(), output_path_.c_str()) != 0) {
      error = "cannot rename the finished report to " + output_path_ + ": " + std::strerror(errno);
      return false;
    }
    temp_path_.clear();
  }
  return true;
}

bool ReportOutput::progress_enabled() const { return !quiet_ && isatty(STDERR_FILENO) == 1; }

void ReportOutput::log_result(const report::Result& r, std::size_t done, std::size_t total) const {
  if (!verbose_) return;
  const bool scan = kind_ == report::ReportKind::Scan;
  const std::string who = report::terminal_safe(scan ? (r.host.empty() ? r.target : r.host) : r.source);
  std::string line = std::string("focusmeter ") + (scan ? "scan" : "check") + ": [" + std::to_string(done) + "/" +
                     std::to_string(total) + "] " + who + ": " + report::status_name(r.status);
  if (r.verdict) line += std::string(" ") + verdict_name(*r.verdict) + " " + report::format_score(r.score);
  if (!r.reason.empty()) line += " (" + report::terminal_safe(r.reason) + ")";
  char ms[32];
  std::snprintf(ms, sizeof ms, " %.0f ms", r.elapsed_ms);
  std::fprintf(stderr, "%s%s\n", line.c_str(), ms);
}

ReportOutput::~ReportOutput() {
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

}  // namespace focusmeter::cli
