#include "train/dataset.h"

#include <glib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "cli/exit_codes.h"
#include "cli/worker_pool.h"
#include "media/image_luma.h"
#include "train/synthesis.h"

namespace fs = std::filesystem;

namespace focusmeter::train {
namespace {

constexpr const char* kOpenCvData = "/usr/share/doc/opencv-doc/examples/data/";
constexpr const char* kSkimageData = "/usr/lib/python3/dist-packages/skimage/data/";
constexpr const char* kMateNature = "/usr/share/backgrounds/mate/nature/";

// FNV-1a: a stable hash of a name (std::hash may differ between builds).
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

struct Row {
  std::string path, label, source, blur;
  double size_1080, size_px;
  double noise, gain;
  int quality, width, height;
};

}  // namespace

std::vector<std::string> default_sources() {
  std::vector<std::string> out;
  // Chosen by eye for a deep in-focus zone like a surveillance view's:
  // macro shots with mostly bokeh (several MATE nature wallpapers), soft
  // old scans (apple, orange) and near-empty frames (moon, a black
  // notebook) would teach "sharp" from pictures that are mostly not
  // (models/README.md gives the numbers that showed it).
  for (const char* f : {"aero1.jpg", "aloeL.jpg", "baboon.jpg", "board.jpg", "box_in_scene.png", "building.jpg",
                        "butterfly.jpg", "fruits.jpg", "graf1.png", "home.jpg", "left01.jpg", "leuvenA.jpg",
                        "messi5.jpg", "rubberwhale1.png", "smarties.png", "squirrel_cls.jpg"})
    out.push_back(std::string(kOpenCvData) + f);
  for (const char* f :
       {"astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png", "coins.png", "grass.png", "gravel.png",
        "hubble_deep_field.jpg", "ihc.png", "motorcycle_left.png", "rocket.jpg"})
    out.push_back(std::string(kSkimageData) + f);
  for (const char* f : {"Dune.jpg", "GreenMeadow.jpg"}) out.push_back(std::string(kMateNature) + f);
  out.push_back("/usr/share/backgrounds/mate/abstract/Elephants_3840x2160.jpg");
  return out;
}

bool make_label_folders(const std::string& output, std::string& error) {
  std::error_code ec;
  for (const char* sub : {"clear", "blurry", "ambiguous"}) {
    fs::create_directories(fs::path(output) / sub, ec);
    if (ec) {
      error = output + ": cannot create folder (" + ec.message() + ")";
      return false;
    }
  }
  return true;
}

bool write_manifest(const std::string& output, const std::string& header, const std::vector<std::string>& lines,
                    std::size_t images, std::string& error) {
  const fs::path manifest = fs::path(output) / "manifest.csv";
  std::ofstream csv(manifest);
  csv << header;
  for (const std::string& line : lines) csv << line;
  if (!csv) {
    error = manifest.string() + ": cannot write";
    return false;
  }
  std::fprintf(stderr, "dataset: wrote %zu images and %s\n", images, manifest.c_str());
  return true;
}

std::vector<std::string> unique_source_names(const std::vector<std::string>& paths) {
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  for (const std::string& path : paths) {
    std::string stem = fs::path(path).stem().string();
    if (seen[stem]++) stem += "_" + std::to_string(seen[stem]);
    names.push_back(stem);
  }
  return names;
}

bool build_dataset(const DatasetOptions& opt, std::string& error) {
  if (opt.sources.empty()) {
    error = "no source images";
    return false;
  }
  if (!make_label_folders(opt.output, error)) return false;
  // Source names must be unique: they name files and the held-out split.
  const std::vector<std::string> names = unique_source_names(opt.sources);

  const std::size_t total = opt.sources.size() * static_cast<std::size_t>(opt.per_source);
  std::vector<Row> rows(total);
  std::vector<char> done(total, 0);  // not vector<bool>: written by several threads
  std::atomic<std::size_t> written{0};
  std::mutex err_mutex;
  std::string first_error;

  cli::for_each_index(opt.sources.size(), static_cast<std::size_t>(std::max(1, opt.jobs)), [&](std::size_t s) {
    media::LumaImage src;
    std::string why;
    if (!media::decode_image_file(opt.sources[s], src, why)) {
      std::lock_guard<std::mutex> lock(err_mutex);
      if (first_error.empty()) first_error = opt.sources[s] + ": " + why;
      return false;
    }
    for (int i = 0; i < opt.per_source; ++i) {
      std::seed_seq seq{static_cast<std::uint64_t>(opt.seed), fnv1a(names[s]), static_cast<std::uint64_t>(i)};
      std::mt19937_64 rng(seq);
      const Degradation d = draw_degradation(rng, src.gray.cols, src.gray.rows);
      const std::vector<std::uint8_t> jpeg = degrade(src.gray, d, rng());
      char file[64];
      std::snprintf(file, sizeof file, "_%03d.jpg", i);
      const std::string rel = std::string(label_name(d.label)) + "/" + names[s] + file;
      std::ofstream out(fs::path(opt.output) / rel, std::ios::binary);
      out.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
      if (!out) {
        std::lock_guard<std::mutex> lock(err_mutex);
        if (first_error.empty()) first_error = (fs::path(opt.output) / rel).string() + ": cannot write";
        return false;
      }
      const std::size_t k = s * opt.per_source + i;
      rows[k] = Row{rel,
                    label_name(d.label),
                    names[s],
                    blur_kind_name(d.blur),
                    d.size_1080,
                    d.size_1080 * d.blur_scale,
                    d.noise,
                    d.gain,
                    d.jpeg_quality,
                    d.width,
                    d.height};
      done[k] = true;  // each k written by one thread only
      const std::size_t n = ++written;
      if (n % 250 == 0) std::fprintf(stderr, "dataset: %zu / %zu images\n", n, total);
    }
    return true;
  });
  if (!first_error.empty()) {
    error = first_error;
    return false;
  }

  std::vector<std::string> lines;
  for (std::size_t k = 0; k < total; ++k) {
    if (!done[k]) continue;
    const Row& r = rows[k];
    char line[512];
    std::snprintf(line, sizeof line, "%s,%s,%s,%s,%.3f,%.3f,%.1f,%.3f,%d,%d,%d\n", r.path.c_str(), r.label.c_str(),
                  r.source.c_str(), r.blur.c_str(), r.size_1080, r.size_px, r.noise, r.gain, r.quality, r.width,
                  r.height);
    lines.emplace_back(line);
  }
  return write_manifest(opt.output,
                        "path,label,source,blur,blur_size_1080,blur_px,noise,gain,jpeg_quality,width,height\n", lines,
                        total, error);
}

int dataset_main(int argc, char** argv) {
  g_autofree gchar* output = nullptr;
  g_auto(GStrv) sources = nullptr;
  gint per_source = 0;  // 0: the recipe's default
  gint64 seed = 1;
  gint jobs = 2;
  g_autofree gchar* recipe = nullptr;
  const GOptionEntry entries[] = {
      {"recipe", 'r', 0, G_OPTION_ARG_STRING, &recipe,
       "photo (default: the shipped model's set) or camera (the camera chain, packages in the manifest)", "NAME"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Folder to write the set into (required)", "DIR"},
      {"source", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &sources,
       "A sharp source photo, or a folder of them (repeatable; default: photos from Debian packages)", "PATH"},
      {"per-source", 'n', 0, G_OPTION_ARG_INT, &per_source,
       "Images made from each source (default 100 for photo, 40 for camera)", "N"},
      {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "N"},
      {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Worker threads (default 2)", "N"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("- synthesise a labelled focus data set");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_set_summary(ctx,
                               "Degrades sharp photos the way cameras do and writes clear/, blurry/, ambiguous/\n"
                               "and manifest.csv. Recipe photo: defocus, Gaussian blur, noise, JPEG, frame size,\n"
                               "dim scenes. Recipe camera: haze and low light, defocus (also tilted), day and\n"
                               "IR-night noise, gamma, sharpening, sub-streams, OSD, JPEG or H.264/H.265.");
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
    std::fprintf(stderr, "focusmeter train dataset: %s\n", err->message);
    return cli::kExitUsage;
  }
  const std::string recipe_name = recipe ? recipe : "photo";
  if (recipe_name != "photo" && recipe_name != "camera") {
    std::fprintf(stderr, "focusmeter train dataset: --recipe must be photo or camera\n");
    return cli::kExitUsage;
  }
  const bool camera = recipe_name == "camera";
  if (per_source == 0) per_source = camera ? 40 : 100;
  if (!output || argc > 1 || per_source < 1 || jobs < 1 || seed < 0) {
    std::fprintf(stderr, "focusmeter train dataset: %s\n",
                 !output    ? "--output DIR is required"
                 : argc > 1 ? "unexpected argument"
                            : "bad number");
    return cli::kExitUsage;
  }

  DatasetOptions opt;
  opt.output = output;
  opt.per_source = per_source;
  opt.seed = static_cast<unsigned long long>(seed);
  opt.jobs = jobs;
  std::vector<SourcePhoto> camera_sources;
  if (sources) {
    for (gchar** s = sources; *s; ++s) {
      std::error_code ec;
      if (fs::is_directory(*s, ec)) {
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(*s, ec))
          if (e.is_regular_file()) files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        opt.sources.insert(opt.sources.end(), files.begin(), files.end());
      } else {
        opt.sources.push_back(*s);
      }
    }
    // Named sources: the package is unknown; each photo is its own unit.
    for (const std::string& s : opt.sources) camera_sources.push_back({s, "local"});
  } else if (camera) {
    camera_sources = default_camera_sources();
    for (const SourcePhoto& s : camera_sources)
      if (!fs::exists(s.path)) {
        std::fprintf(stderr, "focusmeter train dataset: %s is missing (install %s, or name sources with --source)\n",
                     s.path.c_str(), s.package.c_str());
        return cli::kExitDataError;
      }
  } else {
    opt.sources = default_sources();
    for (const std::string& s : opt.sources)
      if (!fs::exists(s)) {
        std::fprintf(stderr,
                     "focusmeter train dataset: %s is missing (install opencv-doc, python3-skimage and "
                     "mate-backgrounds, or name sources with --source)\n",
                     s.c_str());
        return cli::kExitDataError;
      }
  }
  std::string error;
  if (camera ? !build_camera_dataset(camera_sources, opt, error) : !build_dataset(opt, error)) {
    std::fprintf(stderr, "focusmeter train dataset: %s\n", error.c_str());
    return cli::kExitDataError;
  }
  return 0;
}

}  // namespace focusmeter::train
