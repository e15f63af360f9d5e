#include "train/labelled_set.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "cli/worker_pool.h"
#include "media/image_luma.h"

namespace fs = std::filesystem;

namespace focusmeter::train {

std::optional<double> Sample::number(const std::string& key) const {
  auto it = meta.find(key);
  if (it == meta.end() || it->second.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (end == it->second.c_str() || *end) return std::nullopt;
  return v;
}

std::string Sample::text(const std::string& key) const {
  auto it = meta.find(key);
  return it == meta.end() ? std::string() : it->second;
}

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

bool parse_label(std::string s, Label& out) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "clear" || s == "sharp" || s == "0")
    out = Label::Clear;
  else if (s == "blurry" || s == "blur" || s == "1")
    out = Label::Blurry;
  else if (s == "ambiguous")
    out = Label::Ambiguous;
  else
    return false;
  return true;
}

bool read_manifest(const fs::path& csv, std::vector<Sample>& out, std::string& error) {
  std::ifstream in(csv);
  if (!in) {
    error = csv.string() + ": cannot open";
    return false;
  }
  std::string line;
  std::vector<std::string> header;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells = split_csv(line);
    if (header.empty()) {
      if (cells.size() >= 2 && cells[0] == "path" && cells[1] == "label") {
        header = cells;
        continue;
      }
      header = {"path", "label"};
    }
    if (cells.size() < 2) {
      error = csv.string() + ":" + std::to_string(lineno) + ": expected path,label";
      return false;
    }
    Sample s;
    const fs::path p(cells[0]);
    s.path = (p.is_absolute() ? p : csv.parent_path() / p).string();
    if (!parse_label(cells[1], s.label)) {
      error = csv.string() + ":" + std::to_string(lineno) + ": unknown label \"" + cells[1] +
              "\" (expected clear, blurry or ambiguous)";
      return false;
    }
    for (std::size_t i = 2; i < cells.size() && i < header.size(); ++i) s.meta[header[i]] = cells[i];
    s.source = s.text("source");
    if (s.source.empty()) s.source = fs::path(s.path).stem().string();
    out.push_back(std::move(s));
  }
  return true;
}

bool is_image_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* e : {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"})
    if (ext == e) return true;
  return false;
}

bool read_folders(const fs::path& dir, std::vector<Sample>& out, std::string& error) {
  bool any_folder = false;
  for (Label l : {Label::Clear, Label::Blurry, Label::Ambiguous}) {
    const fs::path sub = dir / label_name(l);
    std::error_code ec;
    if (!fs::is_directory(sub, ec)) continue;
    any_folder = true;
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(sub, ec))
      if (e.is_regular_file() && is_image_name(e.path())) files.push_back(e.path().string());
    if (ec) {
      error = sub.string() + ": cannot list (" + ec.message() + ")";
      return false;
    }
    std::sort(files.begin(), files.end());
    for (std::string& f : files) {
      Sample s;
      s.path = std::move(f);
      s.label = l;
      s.source = fs::path(s.path).stem().string();  // no grouping known
      out.push_back(std::move(s));
    }
  }
  if (!any_folder) {
    error = dir.string() + ": no clear/ or blurry/ folder and no manifest.csv";
    return false;
  }
  return true;
}

// Cache line: path \t file size \t mtime \t the feature values.
std::string cache_key(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return "";
  const auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
  if (ec) return "";
  return path + "\t" + std::to_string(size) + "\t" + std::to_string(mtime);
}

}  // namespace

bool read_labelled_set(const std::string& where, std::vector<Sample>& out, std::string& error) {
  out.clear();
  std::error_code ec;
  const fs::path p(where);
  bool ok;
  if (fs::is_directory(p, ec))
    ok = fs::exists(p / "manifest.csv", ec) ? read_manifest(p / "manifest.csv", out, error)
                                            : read_folders(p, out, error);
  else if (fs::exists(p, ec))
    ok = read_manifest(p, out, error);
  else {
    error = where + ": no such file or folder";
    return false;
  }
  if (!ok) return false;
  std::size_t clear = 0, blurry = 0;
  for (const Sample& s : out) {
    if (s.label == Label::Clear) ++clear;
    if (s.label == Label::Blurry) ++blurry;
  }
  if (out.empty()) {
    error = where + ": no images found";
    return false;
  }
  if (clear == 0 || blurry == 0) {
    error = where + ": no " + std::string(clear == 0 ? "CLEAR" : "BLURRY") + " images; training needs both classes";
    return false;
  }
  return true;
}

bool extract_features(std::vector<Sample>& samples, int jobs, const std::string& cache_path, std::string& error) {
  std::unordered_map<std::string, std::vector<double>> cache;
  if (!cache_path.empty()) {
    std::ifstream in(cache_path);
    std::string line;
    while (std::getline(in, line)) {
      // Key = first three tab-separated fields.
      std::size_t cut = 0;
      for (int k = 0; k < 3 && cut != std::string::npos; ++k) cut = line.find('\t', cut + (k ? 1 : 0));
      if (cut == std::string::npos) continue;
      std::vector<double> values;
      std::istringstream rest(line.substr(cut + 1));
      double v;
      while (rest >> v) values.push_back(v);
      if (values.size() == kFeatureCount) cache[line.substr(0, cut)] = std::move(values);
    }
  }

  std::vector<std::string> keys(samples.size());
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    keys[i] = cache_key(samples[i].path);
    auto it = keys[i].empty() ? cache.end() : cache.find(keys[i]);
    if (it != cache.end()) {
      for (std::size_t f = 0; f < kFeatureCount; ++f) samples[i].features.set(static_cast<Feature>(f), it->second[f]);
    } else {
      todo.push_back(i);
    }
  }
  if (!todo.empty())
    std::fprintf(stderr, "train: computing features of %zu images (%zu cached)\n", todo.size(),
                 samples.size() - todo.size());

  std::atomic<std::size_t> finished{0};
  std::mutex mutex;
  std::string first_error;
  cli::for_each_index(todo.size(), static_cast<std::size_t>(std::max(1, jobs)), [&](std::size_t t) {
    Sample& s = samples[todo[t]];
    media::LumaImage img;
    std::string why;
    if (!media::decode_image_file(s.path, img, why)) {
      std::lock_guard<std::mutex> lock(mutex);
      if (first_error.empty()) first_error = s.path + ": " + why;
      return false;
    }
    s.features = compute_features(img.view(), all_features());
    const std::size_t n = ++finished;
    if (n % 250 == 0) std::fprintf(stderr, "train: features %zu / %zu\n", n, todo.size());
    return true;
  });
  if (!first_error.empty()) {
    error = first_error;
    return false;
  }

  if (!cache_path.empty() && !todo.empty()) {
    std::ofstream out(cache_path, std::ios::app);
    char num[32];
    for (std::size_t i : todo) {
      if (keys[i].empty()) continue;
      out << keys[i];
      for (std::size_t f = 0; f < kFeatureCount; ++f) {
        std::snprintf(num, sizeof num, "\t%.17g", samples[i].features.values[f]);
        out << num;
      }
      out << '\n';
    }
  }
  return true;
}

}  // namespace focusmeter::train
