#include "train/camera_chain.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "train/video_codec.h"

namespace focusmeter::train {

const char* optics_name(Optics o) {
  switch (o) {
    case Optics::None:
      return "none";
    case Optics::Softness:
      return "soft";
    case Optics::Disk:
      return "disk";
    case Optics::Gaussian:
      return "gaussian";
    case Optics::Tilt:
      return "tilt";
  }
  return "?";
}

const char* lighting_name(Lighting l) {
  switch (l) {
    case Lighting::Day:
      return "day";
    case Lighting::LowLight:
      return "lowlight";
    case Lighting::IrNight:
      return "irnight";
  }
  return "?";
}

const char* codec_name(Codec c) {
  switch (c) {
    case Codec::Jpeg:
      return "jpeg";
    case Codec::H264:
      return "h264";
    case Codec::H265:
      return "h265";
  }
  return "?";
}

Label camera_label(Optics optics, double r) {
  switch (optics) {
    case Optics::None:
    case Optics::Softness:
      return Label::Clear;
    case Optics::Disk:
    case Optics::Tilt:
      return r < 0.75 ? Label::Clear : (r < 3 ? Label::Ambiguous : Label::Blurry);
    case Optics::Gaussian:
      return r < 0.75 ? Label::Clear : (r < 2.5 ? Label::Ambiguous : Label::Blurry);
  }
  return Label::Ambiguous;
}

namespace {

struct OpticsChoice {
  Optics optics;
  double size;
  int weight;
};

// About 45 % CLEAR, 40 % BLURRY, 15 % in the ambiguous band. Radius 4 (the
// issue's detection targets) and 3 (the class edge) get the most weight.
constexpr OpticsChoice kOptics[] = {
    {Optics::None, 0, 30},      {Optics::Softness, 0, 15}, {Optics::Disk, 1.5, 4},   {Optics::Disk, 2, 4},
    {Optics::Disk, 2.5, 4},     {Optics::Disk, 3, 7},      {Optics::Disk, 4, 8},     {Optics::Disk, 5, 4},
    {Optics::Disk, 6, 4},       {Optics::Disk, 8, 5},      {Optics::Disk, 12, 3},    {Optics::Gaussian, 1.5, 2},
    {Optics::Gaussian, 2.5, 2}, {Optics::Gaussian, 3, 2},  {Optics::Gaussian, 4, 2}, {Optics::Tilt, 6, 3},
    {Optics::Tilt, 10, 3},      {Optics::Tilt, 16, 3},
};

// Sub-streams of a 1080p sensor.
constexpr int kSubStreams[][2] = {{640, 360}, {704, 576}, {1280, 720}};

constexpr const char* kCameraNames[] = {"CAM 01", "Entrance", "PARKING-2", "Lobby West", "Dock 3", "NVR1 CH07"};

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}
bool chance(std::mt19937_64& rng, double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p; }
int pick(std::mt19937_64& rng, int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

}  // namespace

CameraShot draw_camera_shot(std::mt19937_64& rng, int sw, int sh) {
  CameraShot s;
  // Optics.
  int total = 0;
  for (const OpticsChoice& o : kOptics) total += o.weight;
  int p = pick(rng, total);
  for (const OpticsChoice& o : kOptics) {
    if (p < o.weight) {
      s.optics = o.optics;
      s.size_1080 = o.size;
      break;
    }
    p -= o.weight;
  }
  if (s.optics == Optics::Softness) s.size_1080 = uniform(rng, 0.3, 0.7);  // Gaussian sigma of a mild lens
  s.effective_1080 = s.size_1080;
  if (s.optics == Optics::Tilt) {
    // The radius grows linearly from 0 (sharp band of tilt_start) to
    // size_1080 at the far edge; the label judges the median pixel.
    s.tilt_angle = uniform(rng, 0, 2 * M_PI);
    s.tilt_start = uniform(rng, 0, 0.4);
    s.effective_1080 = s.size_1080 * std::max(0.0, 0.5 - s.tilt_start) / (1 - s.tilt_start);
  }
  s.label = camera_label(s.optics, s.effective_1080);

  // Sensor: a 1920x1080 crop of a large photo, else the small photo itself.
  if (sw >= 1920 && sh >= 1080) {
    s.sensor_width = 1920;
    s.sensor_height = 1080;
    const double lo = std::max(1920.0 / sw, 1080.0 / sh);
    s.crop_scale = uniform(rng, lo, std::max(lo, 0.85));
  } else {
    s.crop_scale = uniform(rng, 0.7, 0.95);
    s.sensor_width = std::max(16, static_cast<int>(sw * s.crop_scale)) & ~7;  // I420 rows without padding
    s.sensor_height = std::max(16, static_cast<int>(sh * s.crop_scale)) & ~1;
  }
  s.crop_x = uniform(rng, 0, 1);
  s.crop_y = uniform(rng, 0, 1);

  // Scene and sensor: day, dim colour scene, or IR night (monochrome,
  // flattened by the illuminator, high gain); haze on some day scenes.
  const double light = uniform(rng, 0, 1);
  if (light < 0.15) {
    s.lighting = Lighting::IrNight;
    s.exposure = uniform(rng, 0.5, 0.9);
    s.ir_contrast = uniform(rng, 0.55, 0.9);
    s.noise = uniform(rng, 5, 12);
  } else if (light < 0.25) {
    s.lighting = Lighting::LowLight;
    s.exposure = uniform(rng, 0.12, 0.3);
    s.noise = uniform(rng, 1, 4);
  } else {
    s.exposure = uniform(rng, 0.8, 1.15);
    constexpr double kDayNoise[] = {0, 1, 2, 3, 4, 6};
    s.noise = kDayNoise[pick(rng, static_cast<int>(std::size(kDayNoise)))];
    if (chance(rng, 0.2)) {
      s.haze = uniform(rng, 0.3, 0.65);
      s.airlight = uniform(rng, 170, 235);
    }
  }

  // ISP: tone curve (low light is lifted, which lifts its noise too) and
  // unsharp masking on half the frames, sharp and defocused alike.
  s.gamma = s.lighting == Lighting::LowLight ? uniform(rng, 0.55, 0.8) : uniform(rng, 0.8, 1.25);
  if (chance(rng, 0.5)) {
    s.sharpen_amount = uniform(rng, 0.3, 1.5);
    s.sharpen_sigma = uniform(rng, 0.8, 2.0);
  }

  // Stream: the main stream (the sensor's size) or a sub-stream of a
  // 1080p sensor.
  s.width = s.sensor_width;
  s.height = s.sensor_height;
  if (s.sensor_height == 1080 && chance(rng, 0.5)) {
    const int i = pick(rng, static_cast<int>(std::size(kSubStreams)));
    s.width = kSubStreams[i][0];
    s.height = kSubStreams[i][1];
    s.substream = true;
  }

  // OSD on most frames: timestamp and camera name in a corner.
  s.osd = chance(rng, 0.6);
  if (s.osd) {
    constexpr int kFonts[] = {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_PLAIN, cv::FONT_HERSHEY_DUPLEX,
                              cv::FONT_HERSHEY_COMPLEX, cv::FONT_HERSHEY_TRIPLEX};
    s.osd_font = kFonts[pick(rng, static_cast<int>(std::size(kFonts)))];
    s.osd_corner = pick(rng, 4);
    s.osd_scale = uniform(rng, 0.5, 1.1) * s.height / 720.0;
    s.osd_thickness = std::max(1, static_cast<int>(std::lround(s.osd_scale * uniform(rng, 1, 2.5))));
    constexpr int kLuma[] = {255, 235, 16, 210};  // white, grey-white, black, yellow's luma
    s.osd_luma = kLuma[pick(rng, 4)];
    s.osd_outline_luma = chance(rng, 0.5) ? (s.osd_luma > 128 ? 0 : 255) : -1;
    char text[64];
    std::snprintf(text, sizeof text, "20%02d-%02d-%02d %02d:%02d:%02d", 20 + pick(rng, 8), 1 + pick(rng, 12),
                  1 + pick(rng, 28), pick(rng, 24), pick(rng, 60), pick(rng, 60));
    s.osd_text = text;
    s.osd_name = kCameraNames[pick(rng, static_cast<int>(std::size(kCameraNames)))];
  }

  // Encoding: a JPEG snapshot or a frame of the H.264/H.265 stream at a
  // camera bitrate (log-uniform 0.5-8 Mb/s at 1080p, scaled by area).
  const double c = uniform(rng, 0, 1);
  s.codec = c < 0.4 ? Codec::Jpeg : (c < 0.75 ? Codec::H264 : Codec::H265);
  s.jpeg_quality = std::uniform_int_distribution<int>(60, 95)(rng);
  s.bitrate_1080 = std::exp(uniform(rng, std::log(0.5), std::log(8.0)));
  s.bitrate_kbps =
      std::max(64, static_cast<int>(std::lround(s.bitrate_1080 * 1000.0 * s.width * s.height / (1920.0 * 1080.0))));
  return s;
}

namespace {

cv::Mat disk_blur(const cv::Mat& f, double r) {
  if (r <= 0) return f.clone();
  cv::Mat k, out;
  disk_kernel(r).convertTo(k, CV_32F);
  cv::filter2D(f, out, -1, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  return out;
}

// Defocus growing across the frame: blurred copies at a few radii, each
// pixel interpolated between the two that bracket its own radius.
cv::Mat tilted_defocus(const cv::Mat& f, const CameraShot& s) {
  constexpr int kLevels = 6;
  std::vector<cv::Mat> levels;
  for (int i = 0; i <= kLevels; ++i) levels.push_back(disk_blur(f, s.size_1080 * i / kLevels));
  const double cx = std::cos(s.tilt_angle), cy = std::sin(s.tilt_angle);
  // Projection of the corners on the tilt direction: t in [0, 1] across the frame.
  double lo = 1e9, hi = -1e9;
  for (int y : {0, f.rows - 1})
    for (int x : {0, f.cols - 1}) {
      lo = std::min(lo, x * cx + y * cy);
      hi = std::max(hi, x * cx + y * cy);
    }
  cv::Mat out(f.size(), CV_32F);
  for (int y = 0; y < f.rows; ++y) {
    float* o = out.ptr<float>(y);
    for (int x = 0; x < f.cols; ++x) {
      const double t = (x * cx + y * cy - lo) / std::max(1.0, hi - lo);
      const double u = std::clamp((t - s.tilt_start) / (1 - s.tilt_start), 0.0, 1.0) * kLevels;
      const int i = std::min(kLevels - 1, static_cast<int>(u));
      const double w = u - i;
      o[x] = static_cast<float>((1 - w) * levels[i].at<float>(y, x) + w * levels[i + 1].at<float>(y, x));
    }
  }
  return out;
}

void draw_osd(cv::Mat& frame, const CameraShot& s) {
  const int margin = std::max(4, frame.rows / 40);
  for (int line = 0; line < 2; ++line) {
    const std::string& text = line == 0 ? s.osd_text : s.osd_name;
    int base = 0;
    const cv::Size size = cv::getTextSize(text, s.osd_font, s.osd_scale, s.osd_thickness, &base);
    const int x = (s.osd_corner & 1) ? frame.cols - margin - size.width : margin;
    const int step = size.height + base + margin / 2;
    const int y =
        (s.osd_corner & 2) ? frame.rows - margin - (1 - line) * step - base : margin + size.height + line * step;
    const cv::Point at(x, y);
    if (s.osd_outline_luma >= 0)
      cv::putText(frame, text, at, s.osd_font, s.osd_scale, cv::Scalar(s.osd_outline_luma), s.osd_thickness + 2,
                  cv::LINE_AA);
    cv::putText(frame, text, at, s.osd_font, s.osd_scale, cv::Scalar(s.osd_luma), s.osd_thickness, cv::LINE_AA);
  }
}

}  // namespace

cv::Mat camera_optics(const cv::Mat& source, const CameraShot& s) {
  if (source.empty() || source.type() != CV_8UC3) throw std::invalid_argument("camera_optics: expected 8-bit BGR");
  const int cw = std::min(source.cols, static_cast<int>(std::lround(s.sensor_width / s.crop_scale)));
  const int ch = std::min(source.rows, static_cast<int>(std::lround(s.sensor_height / s.crop_scale)));
  const int cx = static_cast<int>((source.cols - cw) * s.crop_x);
  const int cy = static_cast<int>((source.rows - ch) * s.crop_y);
  cv::Mat crop;
  cv::resize(source(cv::Rect(cx, cy, cw, ch)), crop, cv::Size(s.sensor_width, s.sensor_height), 0, 0, cv::INTER_AREA);
  cv::Mat f;
  if (s.lighting == Lighting::IrNight) {
    // Near-infrared luma: foliage bright, skies dark - mostly the red channel.
    cv::Mat c;
    crop.convertTo(c, CV_32FC3);
    cv::transform(c, f, cv::Matx13f(0.1f, 0.3f, 0.6f));
  } else {
    cv::Mat g;
    cv::cvtColor(crop, g, cv::COLOR_BGR2GRAY);
    g.convertTo(f, CV_32F);
  }
  if (s.haze > 0) f = f * (1 - s.haze) + s.airlight * s.haze;
  f *= s.exposure;

  switch (s.optics) {
    case Optics::None:
      break;
    case Optics::Softness:
    case Optics::Gaussian:
      cv::GaussianBlur(f, f, cv::Size(0, 0), s.size_1080, s.size_1080, cv::BORDER_REFLECT);
      break;
    case Optics::Disk:
      f = disk_blur(f, s.size_1080);
      break;
    case Optics::Tilt:
      f = tilted_defocus(f, s);
      break;
  }
  return f;
}

cv::Mat camera_frame(const cv::Mat& optics, const CameraShot& s, std::uint64_t noise_seed) {
  cv::Mat f = optics.clone();
  if (s.noise > 0) {
    cv::Mat noise(f.size(), CV_32F);
    cv::RNG rng(noise_seed);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, s.noise);
    f += noise;
  }
  if (s.lighting == Lighting::IrNight) {
    // The illuminator flattens the scene; the AGC brings it back to mid-grey.
    const double mean = cv::mean(f)[0];
    f = (f - mean) * s.ir_contrast + 110.0;
  }
  cv::max(f, 0.0, f);
  cv::min(f, 255.0, f);
  if (s.gamma != 1) {
    f /= 255.0;
    cv::pow(f, s.gamma, f);
    f *= 255.0;
  }
  if (s.sharpen_amount > 0) {
    cv::Mat blurred;
    cv::GaussianBlur(f, blurred, cv::Size(0, 0), s.sharpen_sigma, s.sharpen_sigma, cv::BORDER_REFLECT);
    f = f + (f - blurred) * s.sharpen_amount;
  }
  if (s.width != f.cols || s.height != f.rows) cv::resize(f, f, cv::Size(s.width, s.height), 0, 0, cv::INTER_AREA);
  cv::Mat out;
  f.convertTo(out, CV_8U);  // rounds and saturates
  if (s.osd) draw_osd(out, s);
  return out;
}

std::vector<std::uint8_t> camera_shoot(const cv::Mat& source_bgr, const CameraShot& shot, std::uint64_t seed,
                                       std::string& extension) {
  const cv::Mat optics = camera_optics(source_bgr, shot);
  std::vector<std::uint8_t> bytes;
  if (shot.codec == Codec::Jpeg) {
    cv::imencode(".jpg", camera_frame(optics, shot, seed), bytes, {cv::IMWRITE_JPEG_QUALITY, shot.jpeg_quality});
    extension = ".jpg";
    return bytes;
  }
  // A keyframe and three P-frames of a still scene: only the sensor noise
  // changes, as on a fixed camera; the last one is kept.
  constexpr int kFrames = 4;
  std::vector<cv::Mat> frames;
  for (int i = 0; i < kFrames; ++i) frames.push_back(camera_frame(optics, shot, seed + static_cast<std::uint64_t>(i)));
  std::string error;
  const cv::Mat decoded = video_roundtrip(frames, shot.codec, shot.bitrate_kbps, error);
  if (decoded.empty()) throw std::runtime_error(error);
  cv::imencode(".png", decoded, bytes, {cv::IMWRITE_PNG_COMPRESSION, 3});
  extension = ".png";
  return bytes;
}

}  // namespace focusmeter::train
