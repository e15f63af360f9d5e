// `focusmeter train dataset`: builds a labelled synthetic set from sharp
// source photos and writes it as images plus manifest.csv. Two recipes:
// `photo` (synthesis.h, what the shipped model was trained on) and `camera`
// (camera_chain.h: the camera's own chain of degradations, issue 13).
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

// What both recipes share: the label folders (clear/, blurry/, ambiguous/)
// under `output` (false + `error` when one cannot be made), and a unique
// name per source (its file stem, "_2", "_3" … for repeats), which names
// the files and decides the held-out split.
bool make_label_folders(const std::string& output, std::string& error);
std::vector<std::string> unique_source_names(const std::vector<std::string>& paths);
// The last step of both: OUTPUT/manifest.csv from its header and its lines
// (each ending in a newline), then the summary line on stderr for `images`.
bool write_manifest(const std::string& output, const std::string& header, const std::vector<std::string>& lines,
                    std::size_t images, std::string& error);

// A source photo and the Debian package that ships it (the held-out unit of
// `focusmeter train eval`).
struct SourcePhoto {
  std::string path;
  std::string package;
};

// The photographs of the camera recipe: default_sources() and more Debian
// packages' photos (camera_dataset.cpp lists them and why).
std::vector<SourcePhoto> default_camera_sources();

// The camera recipe (camera_chain.h): writes OUTPUT/{clear,blurry,ambiguous}/
// (.jpg for JPEG snapshots, .png for decoded H.264/H.265 frames) and
// OUTPUT/manifest.csv with a package column.
bool build_camera_dataset(const std::vector<SourcePhoto>& sources, const DatasetOptions& opt, std::string& error);

int dataset_main(int argc, char** argv);

}  // namespace focusmeter::train
