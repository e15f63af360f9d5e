// The camera recipe of `focusmeter train dataset --recipe camera`: one sharp
// source photo made into the frame a surveillance camera would deliver,
// degraded in the camera's own order (docs/training.md):
//
//   scene (haze, low light) -> optics (defocus disk, Gaussian, tilted
//   defocus, mild lens softness) -> sensor noise (day or IR-night gain) ->
//   ISP (IR monochrome, gamma, unsharp masking, the scaler of a sub-stream)
//   -> OSD (timestamp and camera name) -> encoding (JPEG snapshot, or H.264 /
//   H.265 at a camera bitrate, the frame taken is a P-frame).
//
// A sub-stream is scaled by the camera before it is encoded (each stream is
// its own encoder), so scaling comes before OSD and encoding here.
//
// Blur sizes are at the 1080p equivalent: the sensor frame is 1920x1080 (a
// crop of a large photo) or, for a small library photo, the photo near its
// own size taken as a crop of a 1080p frame. Labels are physical: CLEAR =
// no blur beyond mild softness, BLURRY = disk radius >= 3 or Gaussian sigma
// >= 2.5 at 1080p (for a tilted defocus: the radius half the frame
// exceeds), AMBIGUOUS in between (never trained on).
//
// Everything a draw decides is in `CameraShot`; the draw and every noise
// field come from generators seeded by the caller, so a set is the same
// byte for byte whatever the thread count.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <vector>

#include "train/synthesis.h"

namespace focusmeter::train {

enum class Optics { None, Softness, Disk, Gaussian, Tilt };
const char* optics_name(Optics o);  // "none", "soft", "disk", "gaussian", "tilt"

enum class Lighting { Day, LowLight, IrNight };
const char* lighting_name(Lighting l);  // "day", "lowlight", "irnight"

enum class Codec { Jpeg, H264, H265 };
const char* codec_name(Codec c);  // "jpeg", "h264", "h265"

struct CameraShot {
  // Sensor frame taken from the source.
  int sensor_width = 0, sensor_height = 0;
  double crop_scale = 1;          // sensor pixels per source pixel (<= 1)
  double crop_x = 0, crop_y = 0;  // crop origin as a fraction of the free room
  // Scene.
  Lighting lighting = Lighting::Day;
  double haze = 0;      // 0 = none, else 1 - transmission (0.3-0.65)
  double airlight = 0;  // haze colour, 0..255
  double exposure = 1;  // brightness multiplier before the sensor
  // Optics.
  Optics optics = Optics::None;
  double size_1080 = 0;       // disk radius or Gaussian sigma at 1080p; Tilt: the largest radius
  double tilt_angle = 0;      // direction in which the defocus grows, radians
  double tilt_start = 0;      // fraction of the frame still sharp, 0..0.4
  double effective_1080 = 0;  // what the label is judged on (Tilt: the median radius)
  // Sensor.
  double noise = 0;  // Gaussian noise sigma (of 255) at the sensor
  // ISP.
  double ir_contrast = 1;  // IR night: deviation from the mean scaled by this
  double gamma = 1;
  double sharpen_amount = 0, sharpen_sigma = 0;  // unsharp masking, 0 = off
  // Stream.
  int width = 0, height = 0;  // delivered frame
  bool substream = false;
  // OSD.
  bool osd = false;
  int osd_font = 0, osd_corner = 0, osd_thickness = 1;
  double osd_scale = 1;
  int osd_luma = 255, osd_outline_luma = -1;  // -1 = no outline
  std::string osd_text, osd_name;
  // Encoding.
  Codec codec = Codec::Jpeg;
  int jpeg_quality = 90;
  double bitrate_1080 = 0;  // Mb/s at the 1080p equivalent
  int bitrate_kbps = 0;     // at this stream's size
  Label label = Label::Clear;
};

// The label of an optical blur at the 1080p equivalent (see above).
Label camera_label(Optics optics, double effective_1080);

// Draws a shot of a source of `src_width` x `src_height`.
CameraShot draw_camera_shot(std::mt19937_64& rng, int src_width, int src_height);

// The sharp scene through the optics: the sensor crop of the 8-bit BGR
// `source` (haze, exposure, optical blur applied; IR night already
// monochrome), as 32-bit float grey.
cv::Mat camera_optics(const cv::Mat& source_bgr, const CameraShot& shot);

// One frame out of the ISP: sensor noise (its own seed, so consecutive
// frames of a video differ), gamma, sharpening, sub-stream scaling, OSD.
// Returns 8-bit grey at the stream's size.
cv::Mat camera_frame(const cv::Mat& optics, const CameraShot& shot, std::uint64_t noise_seed);

// The whole chain, encoding included. Returns the bytes of the file to
// store and its extension: ".jpg" (the camera's own JPEG) or ".png" (the
// decoded video frame, stored losslessly). Throws std::runtime_error when
// the encoder fails.
std::vector<std::uint8_t> camera_shoot(const cv::Mat& source_bgr, const CameraShot& shot, std::uint64_t seed,
                                       std::string& extension);

}  // namespace focusmeter::train
