// static-tiles-codec-eval: how much a tile differs between two analysed
// frames of a stream after a real encoder, for the tiles the stream overlay
// rule must call unchanged (a still OSD re-coded at each keyframe) and for
// those it must call changed (a panning scene with sensor noise, a still
// scene with sensor noise). The bound of "unchanged" in
// focusmeter/static_tiles.h was chosen from its output (docs/focus-map.md,
// "Overlays in streams"). Run by hand, nice'd: it encodes every case.
//
// The pictures are the fake camera's (tests/fakecam/moving_scene.h): the
// astronaut fixture panning 2 px a frame except in still patches around a
// date and a name, here with fresh Gaussian sensor noise in every frame
// (none in the OSD's still patches unless the case says so). Each case goes
// through x264enc or x265enc at a camera's constant bitrate (one keyframe a
// second, no B-frames, zerolatency, no scene cuts) and libav's decoder, and
// each decoded frame is compared with the previous analysed one:
// consecutive keyframes (what watch and scan --keyframes-only judge) and
// consecutive frames (scan's pictures within a GOP).
//
// The distances per tile (tiles of the focus map's grid, textured tiles
// only, as the rule counts them):
//   px   mean |a - b| over every pixel of the tile, in grey levels
//   m8   mean |A - B| over the means of the tile's 8 x 8 blocks (aligned to
//        the frame, as the codecs' transform blocks are): the signature
//        static_tiles.h keeps
//   m4   the same over 4 x 4 blocks
// Tiles of the panning scene are split into the OSD's (wholly still), those
// partly in its still patches (under 90 % of their pixels ever move) and
// the moving rest.
//
// Usage: static-tiles-codec-eval [width height fps seconds noise]
//        (default 1920 1080 25 6 2.0)
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "../fakecam/moving_scene.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/model.h"
#include "gstreamer/gst_pipeline.h"

namespace fm = focusmeter;

namespace {

using Pipeline = focusmeter::gst::PipelinePtr;  // stopped (NULL state) and unreffed when it goes

// A camera's encoder: constant bitrate, a keyframe every `gop` frames and
// nowhere else, no B-frames, no lookahead.
std::string encoder(const std::string& codec, int kbps, int gop) {
  const std::string rate = std::to_string(kbps), key = std::to_string(gop);
  if (codec == "h264")
    return "x264enc tune=zerolatency speed-preset=ultrafast pass=cbr bframes=0 key-int-max=" + key +
           " option-string=\"scenecut=0:keyint-min=" + key + "\" bitrate=" + rate + " ! h264parse ! avdec_h264";
  return "x265enc tune=zerolatency speed-preset=ultrafast log-level=none key-int-max=" + key +
         " option-string=\"bframes=0:scenecut=0:min-keyint=" + key + "\" bitrate=" + rate + " ! h265parse ! avdec_h265";
}

// Encodes and decodes `frames` (GRAY8); returns the decoded luma, empty on failure.
std::vector<cv::Mat> roundtrip(const std::vector<cv::Mat>& frames, const std::string& enc, int fps) {
  const int w = frames[0].cols, h = frames[0].rows;
  const std::string desc = "appsrc name=src format=time caps=video/x-raw,format=GRAY8,width=" + std::to_string(w) +
                           ",height=" + std::to_string(h) + ",framerate=" + std::to_string(fps) +
                           "/1 ! videoconvert ! video/x-raw,format=I420 ! " + enc +
                           " ! videoconvert ! video/x-raw,format=GRAY8 ! appsink name=sink sync=false";
  g_autoptr(GError) err = nullptr;
  Pipeline p(gst_parse_launch(desc.c_str(), &err));
  if (!p || err) {
    std::fprintf(stderr, "pipeline: %s\n", err ? err->message : "cannot build");
    return {};
  }
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(p.get()), "src");
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(p.get()), "sink");
  g_object_set(src, "max-bytes", static_cast<guint64>(0), "block", TRUE, nullptr);
  gst_element_set_state(p.get(), GST_STATE_PLAYING);
  std::vector<cv::Mat> out;
  // Feed and drain alternately: the appsink keeps a bounded queue.
  std::size_t pushed = 0;
  auto pull = [&](GstClockTime timeout) {
    g_autoptr(GstSample) s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), timeout);
    if (!s) return false;
    GstBuffer* b = gst_sample_get_buffer(s);
    GstVideoInfo info;
    gst_video_info_from_caps(&info, gst_sample_get_caps(s));
    GstMapInfo map;
    if (!gst_buffer_map(b, &map, GST_MAP_READ)) return false;
    cv::Mat m(h, w, CV_8U, map.data, static_cast<std::size_t>(GST_VIDEO_INFO_PLANE_STRIDE(&info, 0)));
    out.push_back(m.clone());
    gst_buffer_unmap(b, &map);
    return true;
  };
  for (const cv::Mat& f : frames) {
    GstBuffer* b = gst_buffer_new_allocate(nullptr, static_cast<gsize>(w) * h, nullptr);
    gst_buffer_fill(b, 0, f.data, static_cast<gsize>(w) * h);  // continuous: made by clone()
    GST_BUFFER_PTS(b) = gst_util_uint64_scale(pushed, GST_SECOND, fps);
    GST_BUFFER_DURATION(b) = gst_util_uint64_scale(1, GST_SECOND, fps);
    ++pushed;
    gst_app_src_push_buffer(GST_APP_SRC(src), b);
    while (pull(0)) {
    }
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  while (out.size() < frames.size() && pull(10 * GST_SECOND)) {
  }
  if (out.size() != frames.size()) std::fprintf(stderr, "decoded %zu of %zu frames\n", out.size(), frames.size());
  return out;
}

// Mean |A - B| of the means of the k x k blocks (aligned to the frame) wholly inside `r`.
double block_mad(const cv::Mat& a, const cv::Mat& b, const fm::Rect& r, int k) {
  const int x0 = (r.left + k - 1) / k * k, y0 = (r.top + k - 1) / k * k;
  double sum = 0;
  int n = 0;
  for (int y = y0; y + k <= r.top + r.height; y += k)
    for (int x = x0; x + k <= r.left + r.width; x += k) {
      const cv::Rect c(x, y, k, k);
      sum += std::abs(cv::mean(a(c))[0] - cv::mean(b(c))[0]);
      ++n;
    }
  return n ? sum / n : 0;
}

double pixel_mad(const cv::Mat& a, const cv::Mat& b, const fm::Rect& r) {
  const cv::Rect c(r.left, r.top, r.width, r.height);
  cv::Mat d;
  cv::absdiff(a(c), b(c), d);
  return cv::mean(d)[0];
}

struct Distances {
  std::vector<double> px, m8, m4;
  void add(const cv::Mat& a, const cv::Mat& b, const fm::Rect& r) {
    px.push_back(pixel_mad(a, b, r));
    m8.push_back(block_mad(a, b, r, 8));
    m4.push_back(block_mad(a, b, r, 4));
  }
};

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(std::lround(q * static_cast<double>(v.size() - 1)))];
}

void print(const char* label, const Distances& d) {
  for (const auto& [name, v] :
       {std::pair<const char*, const std::vector<double>*>{"px", &d.px}, {"m8", &d.m8}, {"m4", &d.m4}})
    std::printf("  %-28s %s n=%4zu  min %6.2f  p1 %6.2f  p5 %6.2f  p50 %6.2f  p95 %6.2f  p99 %6.2f  max %6.2f\n", label,
                name, v->size(), quantile(*v, 0), quantile(*v, 0.01), quantile(*v, 0.05), quantile(*v, 0.5),
                quantile(*v, 0.95), quantile(*v, 0.99), quantile(*v, 1));
}

cv::Mat noisy(const cv::Mat& m, double sigma, cv::RNG& rng) {
  cv::Mat noise(m.size(), CV_16S);
  rng.fill(noise, cv::RNG::NORMAL, 0, sigma);
  cv::Mat out;
  cv::add(m, noise, out, cv::noArray(), CV_8U);
  return out;
}

cv::Mat defocus_disk(const cv::Mat& img, double r) {
  if (r <= 0) return img.clone();
  const int R = static_cast<int>(std::ceil(r));
  cv::Mat kernel = cv::Mat::zeros(2 * R + 1, 2 * R + 1, CV_32F);
  cv::circle(kernel, {R, R}, static_cast<int>(std::lround(r)), cv::Scalar(1), cv::FILLED, cv::LINE_AA);
  kernel /= cv::sum(kernel)[0];
  cv::Mat out;
  cv::filter2D(img, out, -1, kernel, {-1, -1}, 0, cv::BORDER_REFLECT);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(nullptr, nullptr);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress when written to a file
  const int w = argc > 1 ? std::atoi(argv[1]) : 1920, h = argc > 2 ? std::atoi(argv[2]) : 1080;
  const int fps = argc > 3 ? std::atoi(argv[3]) : 25, seconds = argc > 4 ? std::atoi(argv[4]) : 6;
  const double sigma = argc > 5 ? std::atof(argv[5]) : 2.0;
  const std::shared_ptr<const fm::Model> model = fm::default_model();
  const cv::Mat src =
      cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/astronaut_641x479.png", cv::IMREAD_COLOR);
  if (src.empty()) return 1;
  const int n = fps * seconds;
  const fm::TileGrid grid = fm::tile_grid(w, h);
  std::printf("%dx%d, %d fps, %d s (keyframe every second), sensor noise sigma %.1f, grid %d x %d\n", w, h, fps,
              seconds, sigma, grid.cols, grid.rows);

  for (const double blur : {0.0, 4.0 * h / 480}) {
    cv::Mat wide;
    cv::resize(src, wide, {w + 2 * fakecam::pan_margin(w), h}, 0, 0, cv::INTER_AREA);
    wide = defocus_disk(wide, blur);
    const fakecam::MovingScene scene(wide, w, h, fps, false);
    // Still tiles: identical in every noiseless composed frame.
    std::vector<cv::Mat> clean(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      cv::Mat bgr;
      scene.compose(i, bgr);
      cv::cvtColor(bgr, clean[static_cast<std::size_t>(i)], cv::COLOR_BGR2GRAY);
    }
    // Per tile, the share of its pixels that ever change: 0 is a still
    // tile (the OSD's patches), under kMostlyMoving a tile partly in them.
    cv::Mat moved = cv::Mat::zeros(h, w, CV_8U);
    for (int i = 1; i < n; ++i) {
      cv::Mat d;
      cv::compare(clean[0], clean[static_cast<std::size_t>(i)], d, cv::CMP_NE);
      moved |= d;
    }
    std::vector<bool> still(static_cast<std::size_t>(grid.count())), partly(still.size());
    for (int t = 0; t < grid.count(); ++t) {
      const fm::Rect r = grid.tile(t);
      const double share =
          cv::countNonZero(moved(cv::Rect(r.left, r.top, r.width, r.height))) / static_cast<double>(r.width * r.height);
      still[static_cast<std::size_t>(t)] = share == 0;
      partly[static_cast<std::size_t>(t)] = share > 0 && share < 0.9;
    }
    // Cases: the OSD over still patches without noise (the fake camera),
    // the same with noise everywhere but the glyphs (a real camera's wall),
    // and the still picture with noise (nothing moves).
    struct Case {
      const char* name;
      std::vector<cv::Mat> frames;
    };
    std::vector<Case> cases(3);
    cases[0].name = "pan, OSD on clean patches";
    cases[1].name = "pan, OSD on noisy patches";
    cases[2].name = "still scene";
    cv::RNG rng(7);
    for (int i = 0; i < n; ++i) {
      const cv::Mat& c = clean[static_cast<std::size_t>(i)];
      cv::Mat a = noisy(c, sigma, rng);
      cv::Mat patches = a.clone();
      for (int t = 0; t < grid.count(); ++t)
        if (still[static_cast<std::size_t>(t)]) {
          const fm::Rect r = grid.tile(t);
          const cv::Rect rc(r.left, r.top, r.width, r.height);
          c(rc).copyTo(a(rc));
        }
      fakecam::burn_in_osd(a, true);
      fakecam::burn_in_osd(patches, true);
      cases[0].frames.push_back(a);
      cases[1].frames.push_back(patches);
      cases[2].frames.push_back(noisy(clean[0], sigma, rng));
    }
    for (const char* codec : {"h264", "h265"})
      for (const int kbps : {500, 2000, 8000}) {
        std::printf("\nblur %.1f px, %s %d kb/s\n", blur, codec, kbps);
        for (const Case& c : cases) {
          const std::vector<cv::Mat> dec = roundtrip(c.frames, encoder(codec, kbps, fps), fps);
          if (dec.size() != c.frames.size()) return 1;
          Distances key_still, key_moving, key_partly, p_still, p_moving, p_partly;
          for (int i = 1; i < n; ++i) {
            const cv::Mat& b = dec[static_cast<std::size_t>(i)];
            const fm::FrameJudgement j = fm::judge_frame(*model, fm::LumaView(b.data, w, h, b.step[0]));
            const bool key = i % fps == 0;
            for (int t = 0; t < grid.count(); ++t) {
              if (!j.map.textured[static_cast<std::size_t>(t)]) continue;
              const bool pan = c.name[0] == 'p';
              const bool s = pan && still[static_cast<std::size_t>(t)];
              const bool part = pan && partly[static_cast<std::size_t>(t)];
              const fm::Rect r = grid.tile(t);
              (s ? p_still : part ? p_partly : p_moving).add(dec[static_cast<std::size_t>(i - 1)], b, r);
              if (key)
                (s ? key_still : part ? key_partly : key_moving).add(dec[static_cast<std::size_t>(i - fps)], b, r);
            }
          }
          std::printf(" %s\n", c.name);
          if (!key_still.px.empty()) print("OSD tiles, keyframes", key_still);
          if (!key_partly.px.empty()) print("partly still, keyframes", key_partly);
          print("moving tiles, keyframes", key_moving);
          if (!p_still.px.empty()) print("OSD tiles, frames", p_still);
          if (!p_partly.px.empty()) print("partly still, frames", p_partly);
          print("moving tiles, frames", p_moving);
        }
      }
  }
  return 0;
}
