// The fake camera's picture when its scene moves (--motion), and the OSD it
// burns in (--osd).
//
// A real camera films a scene that changes from frame to frame (traffic,
// leaves) under an OSD that does not. MovingScene pans the picture slowly
// (a crop window sliding back and forth over a wider copy of it, 2 px per
// frame) everywhere except in two still patches around the OSD's lines: the
// sky or wall where cameras put their date and name. The OSD is drawn after
// the motion (and after the blur, which the wide picture already carries),
// so it stays crisp and at the same place in every frame.
//
// Why still patches: the element's stream overlay rule
// (gst-plugin/core/include/focusmeter/static_tiles.h) recognises whole tiles
// that stay the same (up to the encoder's re-coding) while the rest
// changes; text over a moving scene leaves its tiles changing and is the
// per-frame rule's case. The patches reach a fifth of the frame's height
// beyond each line's box: from 480 lines up at least a tile of the focus
// map (a sixth of the short side, 96 px at least), so the tiles the text is
// in are wholly still (below 480 lines they may not be). Through the
// encoder, all 7 wholly still tiles at 640x480 left the vote
// (docs/focus-map.md, "Through a camera's encoder").
//
// The frames come from an appsrc (moving_scene_launch) that MovingScene
// feeds from its need-data callback, paced at the frame rate: the encoder
// runs from start-up as with a still picture.
#pragma once

#include <gst/app/gstappsrc.h>

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace fakecam {

// Two lines of OSD (a date top left, a camera name bottom right), no
// anti-aliasing, about 1/30 of the frame's height tall: white with a black
// outline, or (`grey`, a colour cameras' OSD settings offer) plain mid-grey,
// which one frame cannot tell from scene detail (docs/focus-map.md).
void burn_in_osd(cv::Mat& img, bool grey = false);
// Where burn_in_osd draws, outline included, for a frame of `size`.
std::vector<cv::Rect> osd_boxes(cv::Size size);

// How much wider than the frame the panned picture must be (the pan's
// amplitude on each side).
int pan_margin(int width);

class MovingScene {
 public:
  // `wide`: the (blurred) picture, pan_margin(width) wider on each side
  // than the frame; `osd`: burn the OSD in (`grey`: in mid-grey).
  MovingScene(cv::Mat wide, int width, int height, int fps, bool osd, bool grey = false);

  // The encoder's source: an appsrc named "scene" giving BGR frames.
  std::string launch() const;
  // Feeds the appsrc named "scene" in `encoder` (call before it plays).
  void attach(GstElement* encoder);

  // Frame `n` of the sequence (exposed for tests and the bench).
  void compose(long n, cv::Mat& out) const;

 private:
  static void on_need_data(GstAppSrc* src, guint, gpointer self);

  cv::Mat wide_;
  int width_, height_, fps_;
  bool osd_, grey_;
  std::vector<cv::Rect> still_;  // patches that never move
  long frame_ = 0;
  gint64 start_us_ = 0;
};

}  // namespace fakecam
