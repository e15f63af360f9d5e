#include "watch/frame_signature.h"

#include <glib.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

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

FrameSignature signature_of(const cv::Mat& bgr, const FeatureVector& features) {
  FrameSignature s;
  s.brightness = features[Feature::Brightness];
  s.contrast = features[Feature::Contrast];
  s.noise_sigma = features[Feature::NoiseSigma];
  s.cells.push_back({features[Feature::LaplacianVariance], features[Feature::ScharrVariance], s.contrast});
  if (!bgr.empty()) {
    s.chroma = chroma_level(bgr);
    cv::Mat gray;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
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
  nlohmann::json cells = nlohmann::json::array();
  for (const EnergyCell& c : s.cells)
    cells.push_back({{"laplacian_variance", c.laplacian_variance},
                     {"scharr_variance", c.scharr_variance},
                     {"contrast", c.contrast}});
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
    for (const auto& c : j.at("cells"))
      s.cells.push_back({c.at("laplacian_variance").get<double>(), c.at("scharr_variance").get<double>(),
                         c.at("contrast").get<double>()});
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
