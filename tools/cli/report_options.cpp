#include "cli/report_options.h"

#include <unistd.h>

#include <cstring>
#include <iostream>

namespace focusmeter::cli {

ReportOptions::~ReportOptions() {
  g_free(format);
  g_free(output);
  g_free(snapshots);
  g_free(color);
}

GOptionGroup* report_option_group(ReportOptions& o) {
  const GOptionEntry entries[] = {
      {"format", 'f', 0, G_OPTION_ARG_STRING, &o.format,
       "Report format: table, json, jsonl, csv, html (default: from --output's extension, else table on a terminal, "
       "else json)",
       "FORMAT"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "Write the report to FILE instead of standard output",
       "FILE"},
      {"snapshots", 0, 0, G_OPTION_ARG_FILENAME, &o.snapshots, "Save each analysed frame as a JPEG in DIR", "DIR"},
      {"show", 0, 0, G_OPTION_ARG_NONE, &o.show, "Show each analysed frame on screen with its verdict (q: stop)",
       nullptr},
      {"color", 0, 0, G_OPTION_ARG_STRING, &o.color, "Colour the table: auto (on a terminal), always, never", "WHEN"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  GOptionGroup* group = g_option_group_new("report", "Report options:", "Show report options", nullptr, nullptr);
  g_option_group_add_entries(group, entries);
  return group;
}

bool ReportOutput::open(const ReportOptions& opts, ReportKind kind, std::string& error) {
  output_path_ = opts.output ? opts.output : "";
  const bool to_stdout = output_path_.empty() || output_path_ == "-";
  const bool stdout_tty = isatty(STDOUT_FILENO) == 1;
  if (opts.format) {
    const auto f = parse_report_format(opts.format);
    if (!f) {
      error = std::string("unknown --format '") + opts.format + "' (table, json, jsonl, csv, html)";
      return false;
    }
    format_ = *f;
  } else {
    format_ = default_report_format(output_path_, stdout_tty);
  }
  ReportStyle style;
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
    if (!prepare_snapshot_dir(snapshot_dir_, error)) return false;
  }
  if (opts.show) {
    viewer_ = FrameViewer::open(error);
    if (!viewer_) return false;
  }
  if (to_stdout) {
    stdout_ = &std::cout;
  } else {
    file_.open(output_path_, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!file_) {
      error = "cannot write --output " + output_path_ + ": " + std::strerror(errno);
      return false;
    }
  }
  writer_ = make_report_writer(format_, stream(), kind, style);
  return true;
}

void ReportOutput::show(const cv::Mat& frame, const Result& r, const std::string& label) {
  if (viewer_ && !viewer_->show(frame, r, label)) viewer_.reset();
}

bool ReportOutput::finish(const Report& report, std::string& error) {
  writer_->finish(report);
  std::ostream& out = stream();
  out.flush();
  if (file_.is_open()) file_.close();
  if (!out) {
    error =
        "writing the report " + (output_path_.empty() ? std::string("to standard output") : output_path_) + " failed";
    return false;
  }
  return true;
}

}  // namespace focusmeter::cli
