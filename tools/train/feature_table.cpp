#include "train/feature_table.h"

#include <cstdio>
#include <fstream>
#include <set>

#include "train/evaluation.h"

namespace focusmeter::train {
namespace {

const char* kLeading[] = {"path", "package", "source", "label"};

void write_value(std::ofstream& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ",%.9g", v);
  out << buf;
}

}  // namespace

bool write_feature_table(const std::vector<Sample>& samples, const std::vector<std::vector<TileRow>>* tiles,
                         const TrainOptions& opt, const std::string& path, std::string& error) {
  std::set<std::string> meta_keys;
  for (const Sample& s : samples)
    for (const auto& [key, value] : s.meta) meta_keys.insert(key);
  for (const char* k : kLeading) meta_keys.erase(k);

  std::ofstream out(path);
  out << "path,package,source,label,in_target,cv_fold";
  if (tiles) out << ",tile,textured,overlay";
  for (const std::string& k : meta_keys) out << "," << k;
  for (std::size_t f = 0; f < kFeatureCount; ++f) out << "," << feature_name(static_cast<Feature>(f));
  out << "\n";

  auto row_start = [&](const Sample& s) {
    const std::string package = s.text("package");
    out << s.path << "," << (package.empty() ? s.source : package) << "," << s.source << "," << label_name(s.label)
        << "," << in_target(s) << "," << cv_fold(s.source, opt);
  };
  auto row_end = [&](const Sample& s, const FeatureVector& fv) {
    for (const std::string& k : meta_keys) out << "," << s.text(k);
    for (double v : fv.values) write_value(out, v);
    out << "\n";
  };
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    if (!tiles) {
      row_start(s);
      row_end(s, s.features);
      continue;
    }
    if (i >= tiles->size()) break;
    for (const TileRow& t : (*tiles)[i]) {
      row_start(s);
      out << "," << t.index << "," << t.textured << "," << t.overlay;
      row_end(s, t.features);
    }
  }
  if (!out) {
    error = path + ": cannot write";
    return false;
  }
  return true;
}

}  // namespace focusmeter::train
