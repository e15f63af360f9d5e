// A scene that pans under a still OSD (moving_scene.h).
#include "moving_scene.h"

#include <glib.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace fakecam {
namespace {

struct OsdLine {
  std::string text;
  cv::Point at;  // putText's origin: the baseline's left end
  double scale;
  int thick;
};

// The two lines, placed as cameras place them.
std::vector<OsdLine> osd_lines(cv::Size size) {
  const double scale = size.height / 720.0;
  const int thick = std::max(1, static_cast<int>(std::lround(2 * scale)));
  std::vector<OsdLine> lines;
  lines.push_back({"2026-12-03 12:34:56", {size.width / 40, size.height / 12}, scale, thick});
  const std::string name = "CAM-07 LOADING BAY";
  int base = 0;
  const cv::Size text = cv::getTextSize(name, cv::FONT_HERSHEY_SIMPLEX, scale, thick, &base);
  lines.push_back({name, {size.width - text.width - size.width / 40, size.height - size.height / 20}, scale, thick});
  return lines;
}

}  // namespace

void burn_in_osd(cv::Mat& img, bool grey) {
  for (const OsdLine& l : osd_lines(img.size())) {
    if (grey) {
      cv::putText(img, l.text, l.at, cv::FONT_HERSHEY_SIMPLEX, l.scale, cv::Scalar::all(128), l.thick, cv::LINE_8);
      continue;
    }
    cv::putText(img, l.text, l.at, cv::FONT_HERSHEY_SIMPLEX, l.scale, cv::Scalar::all(0), l.thick + 2, cv::LINE_8);
    cv::putText(img, l.text, l.at, cv::FONT_HERSHEY_SIMPLEX, l.scale, cv::Scalar::all(255), l.thick, cv::LINE_8);
  }
}

std::vector<cv::Rect> osd_boxes(cv::Size size) {
  std::vector<cv::Rect> boxes;
  for (const OsdLine& l : osd_lines(size)) {
    int base = 0;
    const cv::Size text = cv::getTextSize(l.text, cv::FONT_HERSHEY_SIMPLEX, l.scale, l.thick + 2, &base);
    const int pad = l.thick + 2;  // the outline's reach beyond the glyphs
    boxes.emplace_back(l.at.x - pad, l.at.y - text.height - pad, text.width + 2 * pad, text.height + base + 2 * pad);
  }
  return boxes;
}

int pan_margin(int width) { return std::max(8, width / 8); }

MovingScene::MovingScene(cv::Mat wide, int width, int height, int fps, bool osd, bool grey)
    : wide_(std::move(wide)), width_(width), height_(height), fps_(fps), osd_(osd), grey_(grey) {
  const cv::Rect frame(0, 0, width, height);
  const int reach = std::max(1, height / 5);
  for (const cv::Rect& box : osd_boxes({width, height}))
    still_.push_back(cv::Rect(box.x - reach, box.y - reach, box.width + 2 * reach, box.height + 2 * reach) & frame);
}

void MovingScene::compose(long n, cv::Mat& out) const {
  // A triangle wave: 2 px per frame from one end of the margin to the other and back.
  const int span = 2 * pan_margin(width_);
  const long step = (2 * n) % (2 * span);
  const int offset = static_cast<int>(step <= span ? step : 2 * span - step);
  wide_(cv::Rect(offset, 0, width_, height_)).copyTo(out);
  // The still patches show the picture where the pan is half-way.
  const int middle = pan_margin(width_);
  for (const cv::Rect& r : still_) wide_(r + cv::Point(middle, 0)).copyTo(out(r));
  if (osd_) burn_in_osd(out, grey_);
}

std::string MovingScene::launch() const {
  return "appsrc name=scene is-live=true format=time do-timestamp=true caps=video/x-raw,format=BGR,width=" +
         std::to_string(width_) + ",height=" + std::to_string(height_) + ",framerate=" + std::to_string(fps_) +
         "/1 ! videoconvert";
}

void MovingScene::attach(GstElement* encoder) {
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(encoder), "scene");
  if (!src) return;
  GstAppSrcCallbacks callbacks{};
  callbacks.need_data = on_need_data;
  gst_app_src_set_callbacks(GST_APP_SRC(src), &callbacks, this, nullptr);
}

// Called on the appsrc's streaming thread whenever its queue runs low: waits
// until frame n is due (start + n / fps), so the camera runs at its frame
// rate however fast the encoder is, then pushes it.
void MovingScene::on_need_data(GstAppSrc* src, guint, gpointer data) {
  auto* self = static_cast<MovingScene*>(data);
  const gint64 now = g_get_monotonic_time();
  if (self->frame_ == 0) self->start_us_ = now;
  const gint64 due = self->start_us_ + self->frame_ * G_USEC_PER_SEC / self->fps_;
  if (due > now) g_usleep(static_cast<gulong>(due - now));
  const int stride = GST_ROUND_UP_4(self->width_ * 3);
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, static_cast<gsize>(stride) * self->height_, nullptr);
  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_WRITE)) {
    gst_buffer_unref(buffer);
    return;
  }
  // compose() writes into the buffer's memory: `out` has the frame's size and type, so copyTo keeps it.
  cv::Mat out(self->height_, self->width_, CV_8UC3, map.data, static_cast<std::size_t>(stride));
  self->compose(self->frame_++, out);
  gst_buffer_unmap(buffer, &map);
  gst_app_src_push_buffer(src, buffer);  // takes the buffer
}

}  // namespace fakecam
