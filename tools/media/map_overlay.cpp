#include "media/map_overlay.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace focusmeter::media {
namespace {

// Green (0) -> yellow (0.5) -> red (1), BGR.
cv::Scalar score_colour(double score) {
  const double s = std::clamp(score, 0.0, 1.0);
  const double red = s < 0.5 ? 2 * s : 1.0;
  const double green = s < 0.5 ? 1.0 : 2 * (1 - s);
  return cv::Scalar(0, 255 * green, 255 * red);
}

}  // namespace

cv::Mat draw_focus_map(const cv::Mat& frame, const MapSummary& map) {
  cv::Mat bgr;
  if (frame.empty()) return bgr;
  if (frame.channels() == 1)
    cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
  else
    bgr = frame.clone();
  if (!map.valid()) return bgr;
  // The grid's own edges (tile_grid): floor(i * side / count).
  const TileGrid grid{bgr.cols, bgr.rows, map.cols, map.rows};
  cv::Mat tint = bgr.clone();
  for (int i = 0; i < grid.count(); ++i) {
    const Rect t = grid.tile(i);
    const cv::Rect r(t.left, t.top, t.width, t.height);
    if (map.textured[i] && !map.overlay[i]) cv::rectangle(tint, r, score_colour(map.scores[i]), cv::FILLED);
  }
  cv::addWeighted(tint, 0.4, bgr, 0.6, 0, bgr);
  const int line = std::max(1, std::min(bgr.cols, bgr.rows) / 360);
  for (int i = 0; i < grid.count(); ++i) {
    const Rect t = grid.tile(i);
    const cv::Rect r(t.left, t.top, t.width, t.height);
    if (map.textured[i] && map.overlay[i])
      cv::rectangle(bgr, r, cv::Scalar(255, 120, 0), 2 * line);
    else
      cv::rectangle(bgr, r, cv::Scalar(40, 40, 40), 1);
  }
  return bgr;
}

}  // namespace focusmeter::media
