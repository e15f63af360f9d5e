// What a command does with an analysed frame besides scoring it: a small JPEG
// thumbnail for the HTML report, a full-size JPEG snapshot (--snapshots DIR),
// and an on-screen window with the verdict drawn on it (--show).
//
// Frames are cv::Mat, 8-bit gray or BGR. Thumbnails and snapshots are
// thread-safe; the viewer is not (use it from one thread: the one that
// gathers results).
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "report/result.h"

namespace focusmeter::media {

// JPEG of `frame` scaled down to fit max_side x max_side (never up); empty
// when the frame is empty or encoding fails.
std::vector<unsigned char> encode_thumbnail(const cv::Mat& frame, int max_side = 320);

// A file name for `label` (a host, a path, a redacted URI): unsafe
// characters become '_' and ".jpg" is added. When that changed the label
// (or it had to be cut), a hash of the whole label is appended, so labels
// that differ give different names: "a/b.jpg" -> "a_b.jpg-<hash>.jpg" while
// "a_b.jpg" -> "a_b.jpg.jpg". Labels must not hold secrets (redact first).
std::string snapshot_file_name(const std::string& label);

// A snapshot label that puts the input's position first ("0003-photo.jpg"
// for index 2), for commands that check inputs concurrently: the same input
// given twice still gets two files.
std::string snapshot_label(std::size_t index, const std::string& label);

// Creates `dir` (and parents) if needed; false + one line if it cannot be
// made or written to.
bool prepare_snapshot_dir(const std::string& dir, std::string& error);

// Writes `frame` as JPEG to dir/snapshot_file_name(label) and returns the
// path, or "" + `error` on failure.
std::string save_snapshot(const cv::Mat& frame, const std::string& dir, const std::string& label, std::string& error);

// Fills r.thumbnail_jpeg (when `thumbnail`) and r.snapshot (when
// `snapshot_dir` is not empty; a failure goes to r.reason without changing
// the status) from the analysed frame. `label` names the snapshot file.
void attach_frame(report::Result& r, const cv::Mat& frame, const std::string& label, bool thumbnail,
                  const std::string& snapshot_dir);

// --show: a window showing each frame with its verdict, score and label.
class FrameViewer {
 public:
  // nullptr + one line in `error` when there is no display (no DISPLAY /
  // WAYLAND_DISPLAY, or the GUI backend cannot start).
  static std::unique_ptr<FrameViewer> open(std::string& error);
  struct Key {  // only open() makes viewers
   private:
    Key() = default;
    friend class FrameViewer;
  };
  explicit FrameViewer(Key) {}
  ~FrameViewer();
  // Shows the frame and waits up to `wait_ms` for a key (0 = until a key).
  // Returns false when the user pressed q or Esc (stop showing).
  bool show(const cv::Mat& frame, const report::Result& r, const std::string& label, int wait_ms = 0);
};

// The frame with verdict, score and label drawn in its top-left corner
// (BGR, scaled to fit 1280x720). What --show displays; exposed for tests.
cv::Mat annotate_frame(const cv::Mat& frame, const report::Result& r, const std::string& label);

}  // namespace focusmeter::media
