#include "train/synthesis.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace focusmeter::train {

const char* label_name(Label l) {
  switch (l) {
    case Label::Clear:
      return "clear";
    case Label::Blurry:
      return "blurry";
    case Label::Ambiguous:
      return "ambiguous";
  }
  return "?";
}

const char* blur_kind_name(BlurKind k) {
  switch (k) {
    case BlurKind::None:
      return "none";
    case BlurKind::LensSoftness:
      return "soft";
    case BlurKind::Disk:
      return "disk";
    case BlurKind::Gaussian:
      return "gaussian";
  }
  return "?";
}

Label label_for(BlurKind kind, double size) {
  switch (kind) {
    case BlurKind::None:
    case BlurKind::LensSoftness:
      return Label::Clear;
    case BlurKind::Disk:
      return size < 1 ? Label::Clear : (size < 2.5 ? Label::Ambiguous : Label::Blurry);
    case BlurKind::Gaussian:
      return size < 0.8 ? Label::Clear : (size < 2 ? Label::Ambiguous : Label::Blurry);
  }
  return Label::Ambiguous;
}

namespace {

struct BlurChoice {
  BlurKind kind;
  double size;
  int weight;
};

// Half of the labelled draws CLEAR, half BLURRY, plus ambiguous radii for
// the detection curve. The radii of the curve (0.5 ... 8) get most weight.
constexpr BlurChoice kBlurs[] = {
    {BlurKind::None, 0, 32},    {BlurKind::LensSoftness, 0, 10}, {BlurKind::Disk, 0.5, 6},   {BlurKind::Disk, 1, 6},
    {BlurKind::Disk, 1.5, 6},   {BlurKind::Disk, 2, 6},          {BlurKind::Disk, 2.5, 3},   {BlurKind::Disk, 3, 8},
    {BlurKind::Disk, 4, 3},     {BlurKind::Disk, 5, 8},          {BlurKind::Disk, 6, 3},     {BlurKind::Disk, 8, 8},
    {BlurKind::Disk, 10, 3},    {BlurKind::Gaussian, 2.5, 3},    {BlurKind::Gaussian, 3, 3}, {BlurKind::Gaussian, 4, 3},
    {BlurKind::Gaussian, 6, 3},
};

// Camera frame sizes, largest first.
constexpr int kSizes[][2] = {{1920, 1080}, {1280, 960}, {1280, 720}, {1024, 768}, {960, 540}, {704, 576}};

constexpr double kNoiseLevels[] = {0, 2, 4, 6, 8};

}  // namespace

Degradation draw_degradation(std::mt19937_64& rng, int sw, int sh) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Degradation d;

  int total = 0;
  for (const BlurChoice& b : kBlurs) total += b.weight;
  int pick = std::uniform_int_distribution<int>(0, total - 1)(rng);
  for (const BlurChoice& b : kBlurs) {
    if (pick < b.weight) {
      d.blur = b.kind;
      d.size_1080 = b.size;
      break;
    }
    pick -= b.weight;
  }
  // Mild lens softness: a Gaussian of sigma 0.3-0.7 px at 1080p.
  if (d.blur == BlurKind::LensSoftness) d.size_1080 = 0.3 + 0.4 * unit(rng);
  d.label = label_for(d.blur, d.size_1080);

  // Output size: a camera size the source can fill without upscaling, else
  // the whole source shrunk a little (small library photos).
  std::vector<int> fits;
  for (int i = 0; i < static_cast<int>(std::size(kSizes)); ++i)
    if (kSizes[i][0] <= sw && kSizes[i][1] <= sh) fits.push_back(i);
  if (!fits.empty()) {
    const int i = fits[std::uniform_int_distribution<std::size_t>(0, fits.size() - 1)(rng)];
    d.width = kSizes[i][0];
    d.height = kSizes[i][1];
    const double lo = std::max(static_cast<double>(d.width) / sw, static_cast<double>(d.height) / sh);
    const double hi = std::max(lo, 0.85);
    d.crop_scale = lo + (hi - lo) * unit(rng);
    d.blur_scale = d.height / 1080.0;
  } else {
    d.crop_scale = 0.6 + 0.3 * unit(rng);
    d.blur_scale = 1.0;
    d.width = std::max(8, static_cast<int>(sw * d.crop_scale));
    d.height = std::max(8, static_cast<int>(sh * d.crop_scale));
  }
  d.crop_x = unit(rng);
  d.crop_y = unit(rng);

  // One frame in five is a dim night scene.
  d.gain = unit(rng) < 0.2 ? 0.15 + 0.3 * unit(rng) : 0.8 + 0.4 * unit(rng);
  d.noise = kNoiseLevels[std::uniform_int_distribution<std::size_t>(0, std::size(kNoiseLevels) - 1)(rng)];
  d.jpeg_quality = std::uniform_int_distribution<int>(60, 95)(rng);
  return d;
}

cv::Mat disk_kernel(double r) {
  const int half = static_cast<int>(std::ceil(r + 0.5));
  const int n = 2 * half + 1;
  cv::Mat k(n, n, CV_64F, cv::Scalar(0));
  constexpr int kSub = 16;  // 16x16 samples per pixel for the covered area
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      int inside = 0;
      for (int sy = 0; sy < kSub; ++sy)
        for (int sx = 0; sx < kSub; ++sx) {
          const double px = x - half - 0.5 + (sx + 0.5) / kSub;
          const double py = y - half - 0.5 + (sy + 0.5) / kSub;
          inside += px * px + py * py <= r * r;
        }
      k.at<double>(y, x) = inside;
    }
  const double sum = cv::sum(k)[0];
  if (sum <= 0)
    k.at<double>(half, half) = 1;  // r ~ 0: identity
  else
    k /= sum;
  return k;
}

std::vector<std::uint8_t> degrade(const cv::Mat& source, const Degradation& d, std::uint64_t noise_seed) {
  if (source.empty() || source.type() != CV_8UC1) throw std::invalid_argument("degrade: expected 8-bit grey");
  // Crop the region that maps onto the output, then shrink (INTER_AREA
  // keeps what detail the output can hold; never upscales).
  const int cw = std::min(source.cols, static_cast<int>(std::lround(d.width / d.crop_scale)));
  const int ch = std::min(source.rows, static_cast<int>(std::lround(d.height / d.crop_scale)));
  const int cx = static_cast<int>((source.cols - cw) * d.crop_x);
  const int cy = static_cast<int>((source.rows - ch) * d.crop_y);
  cv::Mat frame;
  cv::resize(source(cv::Rect(cx, cy, cw, ch)), frame, cv::Size(d.width, d.height), 0, 0, cv::INTER_AREA);
  frame.convertTo(frame, CV_32F, d.gain);

  const double size = d.size_1080 * d.blur_scale;
  if (d.blur == BlurKind::Disk && size > 0) {
    cv::Mat k;
    disk_kernel(size).convertTo(k, CV_32F);
    cv::filter2D(frame, frame, -1, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  } else if ((d.blur == BlurKind::Gaussian || d.blur == BlurKind::LensSoftness) && size > 0) {
    cv::GaussianBlur(frame, frame, cv::Size(0, 0), size, size, cv::BORDER_REFLECT);
  }
  if (d.noise > 0) {
    cv::Mat noise(frame.size(), CV_32F);
    cv::RNG rng(noise_seed);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, d.noise);
    frame += noise;
  }
  cv::Mat out;
  frame.convertTo(out, CV_8U);  // rounds and saturates
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", out, jpeg, {cv::IMWRITE_JPEG_QUALITY, d.jpeg_quality});
  return jpeg;
}

}  // namespace focusmeter::train
