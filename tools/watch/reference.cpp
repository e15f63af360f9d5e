#include "watch/reference.h"

#include <algorithm>

namespace focusmeter::watch {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

std::optional<ReferenceMode> parse_reference_mode(const std::string& s) {
  if (s.empty() || s == "auto") return ReferenceMode::Auto;
  if (s == "manual") return ReferenceMode::Manual;
  return std::nullopt;
}

std::optional<FrameSignature> combine_signatures(const std::vector<FrameSignature>& sigs) {
  if (sigs.empty()) return std::nullopt;
  FrameSignature out;
  out.mode = sigs.front().mode;
  auto med = [&](auto get) {
    std::vector<double> v;
    for (const auto& s : sigs) v.push_back(get(s));
    return median(std::move(v));
  };
  out.chroma = med([](const FrameSignature& s) { return s.chroma; });
  out.brightness = med([](const FrameSignature& s) { return s.brightness; });
  out.contrast = med([](const FrameSignature& s) { return s.contrast; });
  out.noise_sigma = med([](const FrameSignature& s) { return s.noise_sigma; });
  // Each energy value the median of the signatures' values; the cells over
  // the signatures cut by the first one's grid (a check without a picture
  // has none and leaves the cells alone).
  auto combined = [&](const std::vector<const EnergyCell*>& cells) {
    auto value = [&](auto get) {
      std::vector<double> v;
      for (const EnergyCell* e : cells) v.push_back(get(*e));
      return median(std::move(v));
    };
    return EnergyCell{value([](const EnergyCell& e) { return e.laplacian_variance; }),
                      value([](const EnergyCell& e) { return e.scharr_variance; }),
                      value([](const EnergyCell& e) { return e.contrast; })};
  };
  std::vector<const EnergyCell*> wholes;
  for (const auto& s : sigs) wholes.push_back(&s.whole);
  out.whole = combined(wholes);
  const FrameSignature* cut = nullptr;
  for (const auto& s : sigs)
    if (!s.cells.empty()) {
      cut = &s;
      break;
    }
  if (cut) {
    out.grid_cols = cut->grid_cols;
    out.grid_rows = cut->grid_rows;
    for (std::size_t c = 0; c < cut->cells.size(); ++c) {
      std::vector<const EnergyCell*> cells;
      for (const auto& s : sigs)
        if (s.grid_cols == cut->grid_cols && s.grid_rows == cut->grid_rows && s.cells.size() == cut->cells.size())
          cells.push_back(&s.cells[c]);
      out.cells.push_back(combined(cells));
    }
  }
  // The pixel-wise median of the thumbnails that have the common size.
  std::vector<const cv::Mat*> thumbs;
  for (const auto& s : sigs)
    if (!s.thumbnail.empty() && s.thumbnail.size() == cv::Size(kThumbWidth, kThumbHeight) &&
        s.thumbnail.type() == CV_8UC1)
      thumbs.push_back(&s.thumbnail);
  if (!thumbs.empty()) {
    out.thumbnail = cv::Mat(kThumbHeight, kThumbWidth, CV_8UC1);
    std::vector<unsigned char> px(thumbs.size());
    for (int y = 0; y < kThumbHeight; ++y)
      for (int x = 0; x < kThumbWidth; ++x) {
        for (std::size_t i = 0; i < thumbs.size(); ++i) px[i] = thumbs[i]->at<unsigned char>(y, x);
        std::nth_element(px.begin(), px.begin() + px.size() / 2, px.end());
        out.thumbnail.at<unsigned char>(y, x) = px[px.size() / 2];
      }
  }
  return out;
}

}  // namespace focusmeter::watch
