// `focusmeter train dataset --recipe camera`: the camera chain
// (camera_chain.h) over photographs of several Debian packages, each image
// recorded in manifest.csv with its package (the unit of the
// leave-one-package-out evaluation).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <opencv2/imgcodecs.hpp>

#include "cli/worker_pool.h"
#include "train/camera_chain.h"
#include "train/dataset.h"
#include "train/video_codec.h"

namespace fs = std::filesystem;

namespace focusmeter::train {
namespace {

// FNV-1a: a stable hash of a name (std::hash may differ between builds).
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string manifest_row(const std::string& rel, const std::string& source, const std::string& package,
                         const CameraShot& s) {
  char line[768];
  std::snprintf(line, sizeof line, "%s,%s,%s,%s,%s,%.3f,%.3f,%s,%.3f,%.2f,%.3f,%.3f,%d,%d,%d,%s,%s,%d,%.3f,%d\n",
                rel.c_str(), label_name(s.label), source.c_str(), package.c_str(), optics_name(s.optics),
                s.effective_1080, s.size_1080, lighting_name(s.lighting), s.haze, s.noise, s.gamma, s.sharpen_amount,
                s.osd ? 1 : 0, s.width, s.height, s.substream ? "sub" : "main", codec_name(s.codec),
                s.codec == Codec::Jpeg ? s.jpeg_quality : 0, s.codec == Codec::Jpeg ? 0.0 : s.bitrate_1080,
                s.codec == Codec::Jpeg ? 0 : s.bitrate_kbps);
  return line;
}

constexpr const char* kHeader =
    "path,label,source,package,blur,blur_size_1080,blur_max_1080,lighting,haze,noise,gamma,sharpen,osd,width,height,"
    "stream,codec,jpeg_quality,bitrate_1080,bitrate_kbps\n";

}  // namespace

std::vector<SourcePhoto> default_camera_sources() {
  std::vector<SourcePhoto> out;
  for (const std::string& p : default_sources()) {
    const char* package = p.find("opencv-doc") != std::string::npos ? "opencv-doc"
                          : p.find("skimage") != std::string::npos  ? "python3-skimage"
                                                                    : "mate-backgrounds";
    out.push_back({p, package});
  }
  // Ubuntu Touch's photographs (Debian's lomiri-wallpapers-16.04), chosen
  // by eye like the others: landscapes, a room, a street, deep focus. Left
  // out: the dandelion macro (seeding), the bokeh-heavy ones of
  // lomiri-wallpapers-20.04 and every render or drawing.
  for (const char* f :
       {"Bridge_by_Sander_Klootwijk.jpg", "Dragonfly_by_Bolly.jpg", "Picture_0B_by_freespace.jpg",
        "Wine_by_Jakkub_Mede.jpg", "aitzgorri_by_Aitzol_Berasategi.jpg", "analogpattern_by_Peter_Nerlich.jpg",
        "friends_by_Aitzol_Berasategi.jpg", "life_by_Aitzol_Berasategi.jpg", "picosdeeuropa_by_Aitzol_Berasategi.jpg",
        "sunset_by_Aitzol_Berasategi.jpg"})
    out.push_back({std::string("/usr/share/backgrounds/") + f, "lomiri-wallpapers-16.04"});
  // scikit-learn's sample photo (a temple in a landscape; its flower is a macro).
  out.push_back({"/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg", "python3-sklearn"});
  return out;
}

bool build_camera_dataset(const std::vector<SourcePhoto>& sources, const DatasetOptions& opt, std::string& error) {
  if (sources.empty()) {
    error = "no source images";
    return false;
  }
  if (!make_label_folders(opt.output, error)) return false;
  std::vector<std::string> paths;
  for (const SourcePhoto& src : sources) paths.push_back(src.path);
  const std::vector<std::string> names = unique_source_names(paths);

  ensure_gstreamer();  // before the workers start
  const std::size_t total = sources.size() * static_cast<std::size_t>(opt.per_source);
  std::vector<std::string> rows(total);
  std::atomic<std::size_t> written{0};
  std::mutex err_mutex;
  std::string first_error;
  auto failed = [&](const std::string& why) {
    std::lock_guard<std::mutex> lock(err_mutex);
    if (first_error.empty()) first_error = why;
    return false;
  };

  cli::for_each_index(sources.size(), static_cast<std::size_t>(std::max(1, opt.jobs)), [&](std::size_t s) {
    const cv::Mat bgr = cv::imread(sources[s].path, cv::IMREAD_COLOR);
    if (bgr.empty()) return failed(sources[s].path + ": cannot decode");
    for (int i = 0; i < opt.per_source; ++i) {
      std::seed_seq seq{static_cast<std::uint64_t>(opt.seed), fnv1a(names[s]), static_cast<std::uint64_t>(i),
                        std::uint64_t{2}};  // 2: not the photo recipe's draws
      std::mt19937_64 rng(seq);
      const CameraShot shot = draw_camera_shot(rng, bgr.cols, bgr.rows);
      std::vector<std::uint8_t> bytes;
      std::string ext;
      try {
        bytes = camera_shoot(bgr, shot, rng(), ext);
      } catch (const std::exception& e) {
        return failed(sources[s].path + ": " + e.what());
      }
      char file[32];
      std::snprintf(file, sizeof file, "_%03d", i);
      const std::string rel = std::string(label_name(shot.label)) + "/" + names[s] + file + ext;
      std::ofstream out(fs::path(opt.output) / rel, std::ios::binary);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      if (!out) return failed((fs::path(opt.output) / rel).string() + ": cannot write");
      rows[s * opt.per_source + i] = manifest_row(rel, names[s], sources[s].package, shot);
      const std::size_t n = ++written;
      if (n % 100 == 0) std::fprintf(stderr, "dataset: %zu / %zu images\n", n, total);
    }
    return true;
  });
  if (!first_error.empty()) {
    error = first_error;
    return false;
  }
  return write_manifest(opt.output, kHeader, rows, total, error);
}

}  // namespace focusmeter::train
