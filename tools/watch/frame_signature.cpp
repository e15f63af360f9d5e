#include "watch/frame_signature.h"

#include <glib.h>

#include <cmath>
#include <cstdint>
#include <opencv2/imgproc.hpp>

#include "focusmeter/luma_view.h"
#include "nlohmann/json.hpp"

namespace focusmeter::watch {

double chroma_level(const cv::Mat& bgr) {
  if (bgr.empty() || bgr.channels() != 3) return 0;
  // A small copy is enough for a mean, and keeps a 4K check cheap.
  cv::Mat small, ycc;
  cv::resize(bgr, small, {160, 120}, 0, 0, cv::INTER_AREA);
  cv::cvtColor(small, ycc, cv::COLOR_BGR2YCrCb);
  cv::Mat planes[3];
  cv::split(ycc, planes);
  cv::Mat cr, cb;
  cv::absdiff(planes[1], cv::Scalar(128), cr);
  cv::absdiff(planes[2], cv::Scalar(128), cb);
  return (cv::mean(cr)[0] + cv::mean(cb)[0]) / 255.0;
}

LightMode light_mode_of(double chroma, double brightness) {
  return chroma < kMonoChroma || brightness < kNightBrightness ? LightMode::Night : LightMode::Day;
}

std::vector<EnergyCell> energy_cells(const cv::Mat& gray, int cols, int rows) {
  std::vector<EnergyCell> cells;
  if (gray.empty() || gray.type() != CV_8UC1 || cols <= 0 || rows <= 0) return cells;
  // Cells narrower than the 3x3 stencils' reach say nothing.
  if (gray.cols < cols * 8 || gray.rows < rows * 8) return cells;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const int x0 = gray.cols * c / cols, x1 = gray.cols * (c + 1) / cols;
      const int y0 = gray.rows * r / rows, y1 = gray.rows * (r + 1) / rows;
      const LumaView view(gray.ptr<std::uint8_t>(y0) + x0, x1 - x0, y1 - y0, static_cast<std::ptrdiff_t>(gray.step));
      const GradientStats g = gradient_stats(view);
      cells.push_back({g.laplacian_variance, g.scharr_variance, g.contrast});
    }
  return cells;
}

FrameSignature signature_of(const cv::Mat& bgr, const FeatureVector& features) {
  FrameSignature s;
  s.brightness = features[Feature::Brightness];
  s.contrast = features[Feature::Contrast];
  s.noise_sigma = features[Feature::NoiseSigma];
  s.whole = {features[Feature::LaplacianVariance], features[Feature::ScharrVariance], s.contrast};
  if (!bgr.empty()) {
    s.chroma = chroma_level(bgr);
    cv::Mat gray;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    s.cells = energy_cells(gray, kCellCols, kCellRows);
    if (!s.cells.empty()) {
      s.grid_cols = kCellCols;
      s.grid_rows = kCellRows;
    }
    cv::resize(gray, s.thumbnail, {kThumbWidth, kThumbHeight}, 0, 0, cv::INTER_AREA);
    s.mode = light_mode_of(s.chroma, s.brightness);
  } else {
    // No picture to look at: only darkness can say night.
    s.chroma = 1;
    s.mode = s.brightness < kNightBrightness ? LightMode::Night : LightMode::Day;
  }
  return s;
}

std::string signature_json(const FrameSignature& s) {
  nlohmann::json j;
  j["mode"] = light_mode_name(s.mode);
  j["chroma"] = s.chroma;
  j["brightness"] = s.brightness;
  j["contrast"] = s.contrast;
  j["noise_sigma"] = s.noise_sigma;
  auto cell_json = [](const EnergyCell& c) {
    return nlohmann::json{
        {"laplacian_variance", c.laplacian_variance}, {"scharr_variance", c.scharr_variance}, {"contrast", c.contrast}};
  };
  j["whole"] = cell_json(s.whole);
  j["grid"] = {s.grid_cols, s.grid_rows};
  nlohmann::json cells = nlohmann::json::array();
  for (const EnergyCell& c : s.cells) cells.push_back(cell_json(c));
  j["cells"] = cells;
  if (!s.thumbnail.empty() && s.thumbnail.isContinuous()) {
    g_autofree gchar* b64 = g_base64_encode(s.thumbnail.data, s.thumbnail.total());
    j["thumbnail"] = {{"width", s.thumbnail.cols}, {"height", s.thumbnail.rows}, {"gray8_base64", b64}};
  }
  return j.dump();
}

std::optional<FrameSignature> signature_from_json(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("mode") || !j.contains("cells")) return std::nullopt;
  try {
    FrameSignature s;
    const auto mode = parse_light_mode(j.at("mode").get<std::string>());
    if (!mode) return std::nullopt;
    s.mode = *mode;
    s.chroma = j.value("chroma", 0.0);
    s.brightness = j.value("brightness", 0.0);
    s.contrast = j.value("contrast", 0.0);
    s.noise_sigma = j.value("noise_sigma", 0.0);
    auto cell_of = [](const nlohmann::json& c) {
      return EnergyCell{c.at("laplacian_variance").get<double>(), c.at("scharr_variance").get<double>(),
                        c.at("contrast").get<double>()};
    };
    std::vector<EnergyCell> cells;
    for (const auto& c : j.at("cells")) cells.push_back(cell_of(c));
    if (j.contains("whole")) {
      s.whole = cell_of(j.at("whole"));
      s.grid_cols = j.at("grid").at(0).get<int>();
      s.grid_rows = j.at("grid").at(1).get<int>();
      if (s.grid_cols < 0 || s.grid_rows < 0 ||
          cells.size() != static_cast<std::size_t>(s.grid_cols) * static_cast<std::size_t>(s.grid_rows))
        return std::nullopt;
      s.cells = std::move(cells);
    } else if (cells.size() == 1) {
      s.whole = cells.front();  // stored before the grid: its one cell was the whole frame
    } else {
      return std::nullopt;
    }
    if (j.contains("thumbnail")) {
      const auto& t = j.at("thumbnail");
      const int w = t.at("width").get<int>(), h = t.at("height").get<int>();
      gsize len = 0;
      g_autofree guchar* raw = g_base64_decode(t.at("gray8_base64").get<std::string>().c_str(), &len);
      if (w <= 0 || h <= 0 || w > 1024 || h > 1024 || len != static_cast<gsize>(w) * h) return std::nullopt;
      s.thumbnail = cv::Mat(h, w, CV_8UC1, raw).clone();
    }
    return s;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace focusmeter::watch
