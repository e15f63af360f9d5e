// `focusmeter train dataset`: builds a labelled synthetic set from sharp
// source photos (synthesis.h) and writes it as images plus manifest.csv.
#pragma once

#include <string>
#include <vector>

namespace focusmeter::train {

// The photographs the default set is made from: files installed by Debian
// packages (opencv-doc, python3-skimage, mate-backgrounds), photos only -
// no logos, charts, text, renders or paintings.
std::vector<std::string> default_sources();

struct DatasetOptions {
  std::vector<std::string> sources;  // image files
  std::string output;                // directory
  int per_source = 100;
  unsigned long long seed = 1;
  int jobs = 2;
};

// Writes OUTPUT/{clear,blurry,ambiguous}/*.jpg and OUTPUT/manifest.csv.
// Returns false with `error` set (one line) on failure.
bool build_dataset(const DatasetOptions& opt, std::string& error);

int dataset_main(int argc, char** argv);

}  // namespace focusmeter::train
