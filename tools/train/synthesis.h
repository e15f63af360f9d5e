// Synthesis of labelled focus images: one sharp source photo, degraded the
// way a surveillance camera degrades it (docs/training.md).
//
// Blur sizes are given "at 1080p": a disk radius r means r pixels on a
// 1920x1080 frame and r * height / 1080 on a camera-sized frame (704x576 to
// 1920x1080) made from a large photo, so the label means the same thing at
// every output size. A photo too small for any camera size is used near its
// own size as if it were a crop of a 1080p frame: its pixels are 1080p
// pixels and the radius is applied unscaled (upscaling it instead would
// blur the "sharp" images themselves). Everything a draw
// decides is in `Degradation`, and every draw comes from a generator seeded
// by (seed, source, index) alone: the set is the same whatever the thread
// count or order.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <random>
#include <string>

namespace focusmeter::train {

enum class Label { Clear, Blurry, Ambiguous };
const char* label_name(Label l);  // "clear", "blurry", "ambiguous"

enum class BlurKind { None, LensSoftness, Disk, Gaussian };
const char* blur_kind_name(BlurKind k);  // "none", "soft", "disk", "gaussian"

struct Degradation {
  BlurKind blur = BlurKind::None;
  double size_1080 = 0;  // disk radius or Gaussian sigma, in pixels at 1080p
  int width = 0, height = 0;
  double crop_scale = 1;          // output pixels per source pixel (<= 1)
  double blur_scale = 1;          // output pixels per 1080p pixel
  double crop_x = 0, crop_y = 0;  // crop origin as a fraction of the free room
  double gain = 1;                // brightness multiplier (dim night scenes < 0.5)
  double noise = 0;               // Gaussian sensor noise sigma, of 255
  int jpeg_quality = 90;
  Label label = Label::Clear;
};

// The label a blur deserves: sharp or slightly soft is CLEAR, disk radius
// >= 2.5 or Gaussian sigma >= 2 (at 1080p) BLURRY, in between AMBIGUOUS
// (kept for the detection curves, left out of training).
Label label_for(BlurKind kind, double size_1080);

// Draws a degradation for a source of `src_width` x `src_height`.
Degradation draw_degradation(std::mt19937_64& rng, int src_width, int src_height);

// A normalised disk point-spread function of radius `r` pixels, pixels
// weighted by the fraction of their area inside the disk (so sub-pixel
// radii are meaningful).
cv::Mat disk_kernel(double r);

// Applies `d` to an 8-bit grey `source`; returns the JPEG bytes.
std::vector<std::uint8_t> degrade(const cv::Mat& source, const Degradation& d, std::uint64_t noise_seed);

}  // namespace focusmeter::train
