// A labelled image set for training and evaluation, read from a manifest
// CSV (header `path,label[,source,blur,blur_size_1080,noise,...]`, paths
// relative to the CSV) or from a folder with clear/ and blurry/ inside (and
// optionally ambiguous/). Features come from the same core as the element,
// cached beside the set so that re-training does not decode again.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "focusmeter/features.h"
#include "train/synthesis.h"

namespace focusmeter::train {

struct Sample {
  std::string path;  // as opened
  Label label = Label::Clear;
  std::string source;                       // the photo it was made from (the held-out unit)
  std::map<std::string, std::string> meta;  // the other manifest columns
  FeatureVector features;

  // A numeric manifest column, or nullopt.
  std::optional<double> number(const std::string& key) const;
  std::string text(const std::string& key) const;
};

// Reads the list (no decoding). `where` is a folder or a .csv file. Returns
// false with one line in `error` when the set is unusable.
bool read_labelled_set(const std::string& where, std::vector<Sample>& out, std::string& error);

// Fills every sample's features (all of them), `jobs` threads, using and
// updating `cache_path` ("" = no cache). Fails on the first image that does
// not decode, naming it.
bool extract_features(std::vector<Sample>& samples, int jobs, const std::string& cache_path, std::string& error);

}  // namespace focusmeter::train
