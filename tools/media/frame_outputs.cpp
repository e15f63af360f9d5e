#include "media/frame_outputs.h"

#include "report/report.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <opencv2/highgui.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace focusmeter::media {
namespace {

constexpr const char* kWindow = "focusmeter";

cv::Mat scaled_to_fit(const cv::Mat& frame, int max_w, int max_h) {
  const double f = std::min({1.0, double(max_w) / frame.cols, double(max_h) / frame.rows});
  if (f >= 1.0) return frame;
  cv::Mat out;
  cv::resize(frame, out, cv::Size(), f, f, cv::INTER_AREA);
  return out;
}

}  // namespace

std::vector<unsigned char> encode_thumbnail(const cv::Mat& frame, int max_side) {
  std::vector<unsigned char> jpeg;
  if (frame.empty()) return jpeg;
  try {
    cv::imencode(".jpg", scaled_to_fit(frame, max_side, max_side), jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
  } catch (const cv::Exception&) {
    jpeg.clear();
  }
  return jpeg;
}

std::string snapshot_file_name(const std::string& label) {
  std::string name;
  for (unsigned char c : label) name += (std::isalnum(c) || c == '.' || c == '-' || c == '_') ? char(c) : '_';
  while (!name.empty() && (name.front() == '_' || name.front() == '.')) name.erase(0, 1);
  if (name.empty()) name = "frame";
  constexpr std::size_t kMax = 120;
  if (name != label || name.size() > kMax) {
    // FNV-1a: stable from run to run, so a rerun overwrites its own files.
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : label) h = (h ^ c) * 1099511628211ull;
    char hash[20];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(h));
    if (name.size() > kMax - 17) name = name.substr(name.size() - (kMax - 17));
    name += std::string("-") + hash;
  }
  return name + ".jpg";
}

std::string snapshot_label(std::size_t index, const std::string& label) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%04zu-", index + 1);
  return prefix + label;
}

bool prepare_snapshot_dir(const std::string& dir, std::string& error) {
  if (g_mkdir_with_parents(dir.c_str(), 0755) != 0) {
    error = "cannot create snapshot folder " + dir + ": " + std::strerror(errno);
    return false;
  }
  if (g_access(dir.c_str(), W_OK) != 0) {
    error = "cannot write to snapshot folder " + dir + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

std::string save_snapshot(const cv::Mat& frame, const std::string& dir, const std::string& label, std::string& error) {
  if (frame.empty()) {
    error = "no frame to save";
    return {};
  }
  g_autofree gchar* path = g_build_filename(dir.c_str(), snapshot_file_name(label).c_str(), nullptr);
  try {
    if (cv::imwrite(path, frame, {cv::IMWRITE_JPEG_QUALITY, 92})) return path;
    error = std::string("cannot write snapshot ") + path;
  } catch (const cv::Exception& e) {
    error = std::string("cannot write snapshot ") + path + ": " + e.msg;
  }
  return {};
}

void attach_frame(report::Result& r, const cv::Mat& frame, const std::string& label, bool thumbnail,
                  const std::string& snapshot_dir) {
  if (thumbnail) r.thumbnail_jpeg = encode_thumbnail(frame);
  if (snapshot_dir.empty()) return;
  std::string error;
  r.snapshot = save_snapshot(frame, snapshot_dir, label, error);
  if (r.snapshot.empty()) r.reason += (r.reason.empty() ? "" : "; ") + error;
}

cv::Mat annotate_frame(const cv::Mat& frame, const report::Result& r, const std::string& label) {
  cv::Mat bgr;
  if (frame.channels() == 1)
    cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
  else
    bgr = frame.clone();
  bgr = scaled_to_fit(bgr, 1280, 720).clone();
  const bool blurry = r.verdict && *r.verdict == Verdict::Blurry;
  const cv::Scalar colour = !r.verdict ? cv::Scalar(200, 200, 200)
                            : blurry   ? cv::Scalar(40, 40, 230)
                                       : cv::Scalar(60, 200, 60);
  std::string headline = r.verdict ? verdict_name(*r.verdict) : report::status_name(r.status);
  if (r.score) headline += "  score " + report::format_score(r.score);
  cv::rectangle(bgr, cv::Rect(0, 0, bgr.cols, 64), cv::Scalar(0, 0, 0), cv::FILLED);
  cv::putText(bgr, headline, {10, 32}, cv::FONT_HERSHEY_SIMPLEX, 1.0, colour, 2, cv::LINE_AA);
  cv::putText(bgr, label, {10, 56}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  return bgr;
}

std::unique_ptr<FrameViewer> FrameViewer::open(std::string& error) {
  const char* x11 = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!x11 || !*x11) && (!wayland || !*wayland)) {
    error = "--show needs a display (DISPLAY and WAYLAND_DISPLAY are not set)";
    return nullptr;
  }
  // The GUI backend (Qt or GTK, as OpenCV was built) aborts the process when
  // the display cannot be reached, so try it first in a throw-away child.
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDERR_FILENO);  // the backend's own complaints
    try {
      cv::namedWindow(kWindow, cv::WINDOW_AUTOSIZE);
      cv::destroyAllWindows();
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = std::string("--show cannot open a window on display ") + (x11 && *x11 ? x11 : wayland);
    return nullptr;
  }
  try {
    cv::namedWindow(kWindow, cv::WINDOW_AUTOSIZE);
  } catch (const cv::Exception& e) {
    error = "--show cannot open a window: " + e.msg;
    return nullptr;
  }
  return std::make_unique<FrameViewer>(Key{});
}

FrameViewer::~FrameViewer() {
  try {
    cv::destroyWindow(kWindow);
  } catch (const cv::Exception&) {
  }
}

bool FrameViewer::show(const cv::Mat& frame, const report::Result& r, const std::string& label, int wait_ms) {
  if (frame.empty()) return true;
  try {
    cv::imshow(kWindow, annotate_frame(frame, r, label));
    const int key = cv::waitKey(wait_ms);
    return key != 'q' && key != 27;
  } catch (const cv::Exception&) {
    return false;
  }
}

}  // namespace focusmeter::media
