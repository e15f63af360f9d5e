// The report options every checking command shares (--format, --output,
// --snapshots, --show, --color) as one GOptionGroup, and the set-up that
// follows parsing: validate, open the output, prepare the snapshot folder,
// open the viewer. A command adds the group to its GOptionContext:
//
//   ReportOptions opts;
//   g_option_context_add_group(ctx, report_option_group(opts));
//   ... parse ...
//   ReportOutput output;
//   if (!output.open(opts, ReportKind::Scan, error)) -> usage error
//   ProgressLine progress(stderr, n);
//   for each finished result: output.attach(r, frame, label); output.writer().add(r); progress.update(r);
//   output.writer().finish(report);
#pragma once

#include <glib.h>

#include <fstream>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "media/frame_outputs.h"
#include "report/report.h"

namespace focusmeter::cli {

struct ReportOptions {
  // Filled by GOption; freed by the destructor.
  gchar* format = nullptr;
  gchar* output = nullptr;
  gchar* snapshots = nullptr;
  gchar* color = nullptr;  // auto | always | never
  gboolean show = FALSE;
  gboolean quiet = FALSE;    // -q: no progress line, no notes on stderr
  gboolean verbose = FALSE;  // -v: one line per finished result on stderr

  ReportOptions() = default;
  ReportOptions(const ReportOptions&) = delete;
  ReportOptions& operator=(const ReportOptions&) = delete;
  ~ReportOptions();
};

// A new group ("report") whose entries write into `opts`; the context that
// it is added to takes ownership of the group. `opts` must outlive parsing.
GOptionGroup* report_option_group(ReportOptions& opts);
// The same entries in the context's main group, so that plain --help lists
// them (a group's entries show only with --help-GROUP or --help-all).
void add_report_options(GOptionContext* ctx, ReportOptions& opts);

class ReportOutput {
 public:
  // false + one line in `error` for a bad --format/--color, an output file
  // that cannot be created, a snapshot folder that cannot be made, or --show
  // without a display.
  bool open(const ReportOptions& opts, report::ReportKind kind, std::string& error);

  report::ReportFormat format() const { return format_; }
  report::ReportWriter& writer() { return *writer_; }
  std::ostream& stream() { return file_.is_open() ? static_cast<std::ostream&>(file_) : *stdout_; }
  const std::string& snapshot_dir() const { return snapshot_dir_; }
  // Whether results need a thumbnail (only the HTML report shows them).
  bool wants_thumbnails() const { return format_ == report::ReportFormat::Html; }
  bool wants_frames() const { return wants_thumbnails() || !snapshot_dir_.empty() || viewer_; }
  // Whether --show will display frames (so a caller must keep them until then).
  bool shows() const { return viewer_ != nullptr; }
  bool quiet() const { return quiet_; }
  // The progress line is drawn: stderr is a terminal and no -q.
  bool progress_enabled() const;
  // -v: "focusmeter check: [3/10] a.jpg: ok CLEAR 0.123 (12 ms)" on stderr.
  void log_result(const report::Result& r, std::size_t done, std::size_t total) const;

  // Thread-safe part: thumbnail and snapshot for one analysed frame.
  void attach(report::Result& r, const cv::Mat& frame, const std::string& label) const {
    media::attach_frame(r, frame, label, wants_thumbnails(), snapshot_dir_);
  }
  // --show, from the thread that gathers results; no-op without --show or
  // after the user pressed q.
  void show(const cv::Mat& frame, const report::Result& r, const std::string& label);

  // Finishes the report and flushes; false + `error` if writing failed
  // (disk full, closed pipe). An --output file is written to a temporary
  // file in the same folder and renamed over FILE only now, so an earlier
  // report survives a crash, a kill or a full disk, and readers never see
  // half a report.
  bool finish(const report::Report& report, std::string& error);
  // Without finish() (an error path): the temporary file is removed.
  ~ReportOutput();

 private:
  report::ReportFormat format_ = report::ReportFormat::Json;
  std::ofstream file_;
  std::ostream* stdout_ = nullptr;
  std::string output_path_;
  std::string temp_path_;
  bool quiet_ = false;
  bool verbose_ = false;
  report::ReportKind kind_ = report::ReportKind::Check;  // where the report is written until finish() renames it
  std::string snapshot_dir_;
  std::unique_ptr<media::FrameViewer> viewer_;
  std::unique_ptr<report::ReportWriter> writer_;
};

}  // namespace focusmeter::cli
