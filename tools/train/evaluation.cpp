#include "train/evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "focusmeter/judgement.h"

namespace focusmeter::train {
namespace {

constexpr Feature kOriginal[] = {Feature::LaplacianVariance, Feature::LaplacianMax, Feature::NoiseSigma,
                                 Feature::ScharrVariance};
constexpr double kRadii[] = {0, 0.5, 1, 1.5, 2, 3, 5, 8};
constexpr double kNoise[] = {0, 2, 4, 6, 8};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

bool labelled(const Sample& s) { return s.label != Label::Ambiguous; }

// Disk radius at 1080p of a synthetic sample: 0 for no blur, -1 for other
// blurs (Gaussian, lens softness) or unknown.
double disk_radius(const Sample& s) {
  const std::string blur = s.text("blur");
  if (blur == "none") return 0;
  if (blur == "disk") return s.number("blur_size_1080").value_or(-1);
  return -1;
}

}  // namespace

Method one_nn_method(const std::vector<const Sample*>& train) {
  std::vector<std::pair<std::array<double, 4>, bool>> points;
  for (const Sample* s : train) {
    if (!labelled(*s)) continue;
    std::array<double, 4> p{};
    for (std::size_t j = 0; j < 4; ++j) p[j] = s->features[kOriginal[j]];
    points.emplace_back(p, s->label == Label::Blurry);
  }
  return {"original: 1-NN on 4 raw features", [points](const Sample& s) {
            double best = std::numeric_limits<double>::infinity();
            bool blurry = false;
            for (const auto& [p, b] : points) {
              double d = 0;
              for (std::size_t j = 0; j < 4; ++j)
                d += (p[j] - s.features[kOriginal[j]]) * (p[j] - s.features[kOriginal[j]]);
              if (d < best) best = d, blurry = b;
            }
            return blurry;
          }};
}

Method fixed_rule_method() {
  return {"fixed rule: var(Laplacian 0..255) < 100",
          [](const Sample& s) { return s.features[Feature::LaplacianVariance] * 255.0 * 255.0 < 100.0; }};
}

Method model_method(const Model& model, const std::string& name) {
  // judge(), as the element and the tools apply the model.
  return {name, [&model](const Sample& s) { return judge(model, s.features).verdict == Verdict::Blurry; }};
}

bool in_target(const Sample& s) {
  if (!labelled(s)) return false;
  const std::string blur = s.text("blur");
  if (blur.empty()) return true;  // not a synthetic set: every labelled sample
  const double size = s.number("blur_size_1080").value_or(0);
  const double noise = s.number("noise").value_or(0);
  const double q = s.number("jpeg_quality").value_or(90);
  if (noise > 6 || q < 75 || q > 92) return false;
  return blur == "none" || (blur == "disk" && size >= 3) || (blur == "gaussian" && size >= 2.5);
}

double Metrics::balanced_accuracy() const { return 0.5 * ((1.0 - false_alarm_rate()) + detection_rate()); }
double Metrics::false_alarm_rate() const { return clear ? static_cast<double>(false_alarms) / clear : 0.0; }
double Metrics::detection_rate() const { return blurry ? static_cast<double>(detected) / blurry : 0.0; }

Metrics measure(const std::vector<const Sample*>& held_out, const Method& m,
                const std::function<bool(const Sample&)>& keep) {
  Metrics r;
  for (const Sample* s : held_out) {
    if (!labelled(*s) || !keep(*s)) continue;
    const bool said = m.blurry(*s);
    if (s->label == Label::Clear) {
      ++r.clear;
      r.false_alarms += said;
    } else {
      ++r.blurry;
      r.detected += said;
    }
  }
  return r;
}

namespace {

// Fraction called BLURRY among held-out samples with this disk radius (and
// noise level, when `noise` >= 0); nullopt-like -1 when there are none.
std::pair<double, std::size_t> rate_at(const std::vector<const Sample*>& held_out, const Method& m, double radius,
                                       double noise) {
  std::size_t n = 0, called = 0;
  for (const Sample* s : held_out) {
    if (disk_radius(*s) != radius) continue;
    if (noise >= 0 && s->number("noise").value_or(-1) != noise) continue;
    ++n;
    called += m.blurry(*s);
  }
  return {n ? static_cast<double>(called) / n : -1.0, n};
}

std::string cell(const std::pair<double, std::size_t>& r) {
  if (r.second == 0) return "-";
  return fmt("%.2f", r.first) + " (" + std::to_string(r.second) + ")";
}

void draw_plot(const std::vector<const Sample*>& held_out, const Method& m, const std::string& path) {
  const int W = 760, H = 480, left = 70, right = 170, top = 40, bottom = 60;
  cv::Mat img(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
  const int pw = W - left - right, ph = H - top - bottom;
  const double max_r = 8;
  auto px = [&](double r, double rate) {
    return cv::Point(left + static_cast<int>(r / max_r * pw), top + static_cast<int>((1 - rate) * ph));
  };
  const cv::Scalar grey(200, 200, 200), black(0, 0, 0);
  for (double r : kRadii) {
    cv::line(img, px(r, 0), px(r, 1), grey, 1);
    cv::putText(img, fmt(r == std::floor(r) ? "%.0f" : "%.1f", r), px(r, 0) + cv::Point(-8, 20),
                cv::FONT_HERSHEY_SIMPLEX, 0.42, black, 1, cv::LINE_AA);
  }
  for (int k = 0; k <= 4; ++k) {
    cv::line(img, px(0, k / 4.0), px(max_r, k / 4.0), grey, 1);
    cv::putText(img, fmt("%.2f", k / 4.0), px(0, k / 4.0) + cv::Point(-48, 5), cv::FONT_HERSHEY_SIMPLEX, 0.42, black, 1,
                cv::LINE_AA);
  }
  // The ambiguous band, radius 1 to 2.5, shaded.
  cv::Mat band = img.clone();
  cv::rectangle(band, px(1, 1), px(2.5, 0), cv::Scalar(230, 230, 230), cv::FILLED);
  cv::addWeighted(band, 0.5, img, 0.5, 0, img);
  cv::rectangle(img, px(0, 1), px(max_r, 0), black, 1);
  cv::putText(img, "detection rate (called BLURRY) vs disk radius at 1080p, held-out", cv::Point(left, 25),
              cv::FONT_HERSHEY_SIMPLEX, 0.5, black, 1, cv::LINE_AA);
  cv::putText(img, "disk radius (px at 1080p); grey band = ambiguous, not trained", cv::Point(left, H - 15),
              cv::FONT_HERSHEY_SIMPLEX, 0.45, black, 1, cv::LINE_AA);
  const cv::Scalar colours[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148}};
  for (std::size_t k = 0; k < std::size(kNoise); ++k) {
    std::vector<cv::Point> pts;
    for (double r : kRadii) {
      const auto [rate, n] = rate_at(held_out, m, r, kNoise[k]);
      if (n) pts.push_back(px(r, rate));
    }
    for (std::size_t i = 0; i + 1 < pts.size(); ++i) cv::line(img, pts[i], pts[i + 1], colours[k], 2, cv::LINE_AA);
    for (const cv::Point& p : pts) cv::circle(img, p, 4, colours[k], cv::FILLED, cv::LINE_AA);
    const cv::Point legend(W - right + 15, top + 20 + 24 * static_cast<int>(k));
    cv::line(img, legend, legend + cv::Point(25, 0), colours[k], 2, cv::LINE_AA);
    cv::putText(img, "noise " + fmt("%.0f", kNoise[k]) + "/255", legend + cv::Point(32, 5), cv::FONT_HERSHEY_SIMPLEX,
                0.45, black, 1, cv::LINE_AA);
  }
  cv::imwrite(path, img);
}

}  // namespace

nlohmann::json evaluate(const std::vector<const Sample*>& train, const std::vector<const Sample*>& held_out,
                        const Model& model, const std::string& report_dir, const std::string& command_line) {
  const std::vector<Method> methods = {one_nn_method(train), fixed_rule_method(), model_method(model)};
  nlohmann::json out;
  std::ostringstream md;
  std::size_t sources = 0;
  {
    std::vector<std::string> names;
    for (const Sample* s : held_out) names.push_back(s->source);
    std::sort(names.begin(), names.end());
    sources = static_cast<std::size_t>(std::unique(names.begin(), names.end()) - names.begin());
  }
  md << "<!-- Generated by: " << command_line << " -->\n";
  md << "# Held-out evaluation\n\n";
  md << held_out.size() << " held-out images made from " << sources
     << " source photos that no training image comes from.\n\n";

  md << "## Accuracy\n\n"
     << "Target task: sharp (no blur) against blurry (disk radius >= 3 px or Gaussian sigma >= 2.5 at 1080p), "
        "noise 0-6, JPEG quality 75-92. \"All labelled\": every held-out CLEAR/BLURRY image (any noise, "
        "quality, lens softness, radius 0.5, disk 2.5, Gaussian 2.5+).\n\n"
     << "| method | set | balanced accuracy | false alarms (sharp called BLURRY) | detection rate | n clear / "
        "blurry |\n|---|---|---|---|---|---|\n";
  for (const Method& m : methods) {
    for (int all = 0; all < 2; ++all) {
      const Metrics r =
          all ? measure(held_out, m, [](const Sample&) { return true; }) : measure(held_out, m, in_target);
      md << "| " << m.name << " | " << (all ? "all labelled" : "target") << " | " << fmt("%.3f", r.balanced_accuracy())
         << " | " << fmt("%.3f", r.false_alarm_rate()) << " | " << fmt("%.3f", r.detection_rate()) << " | " << r.clear
         << " / " << r.blurry << " |\n";
      if (&m == &methods.back()) {
        nlohmann::json j = {{"balanced_accuracy", r.balanced_accuracy()},
                            {"false_alarm_rate", r.false_alarm_rate()},
                            {"detection_rate", r.detection_rate()},
                            {"clear", r.clear},
                            {"blurry", r.blurry}};
        out[all ? "held_out_all_labelled" : "held_out_target"] = j;
      } else if (!all) {
        out["baselines_target"][m.name] = {{"balanced_accuracy", r.balanced_accuracy()},
                                           {"false_alarm_rate", r.false_alarm_rate()}};
      }
    }
  }

  md << "\n## Detection rate against disk radius (px at 1080p)\n\n"
     << "Fraction of held-out images called BLURRY (count in brackets), all noise levels and JPEG qualities. "
        "Radius 0 is the false-alarm rate; 1-2 are ambiguous (not trained).\n\n| method |";
  for (double r : kRadii) md << " r=" << fmt("%g", r) << " |";
  md << "\n|---|";
  for (std::size_t i = 0; i < std::size(kRadii); ++i) md << "---|";
  md << "\n";
  for (const Method& m : methods) {
    md << "| " << m.name << " |";
    for (double r : kRadii) md << " " << cell(rate_at(held_out, m, r, -1)) << " |";
    md << "\n";
  }
  md << "\nShipped model, per noise level (sigma of 255):\n\n| noise |";
  for (double r : kRadii) md << " r=" << fmt("%g", r) << " |";
  md << "\n|---|";
  for (std::size_t i = 0; i < std::size(kRadii); ++i) md << "---|";
  md << "\n";
  nlohmann::json curve;
  for (double nz : kNoise) {
    md << "| " << fmt("%g", nz) << " |";
    for (double r : kRadii) {
      const auto c = rate_at(held_out, methods.back(), r, nz);
      md << " " << cell(c) << " |";
      if (c.second) curve[fmt("noise_%g", nz)][fmt("r_%g", r)] = c.first;
    }
    md << "\n";
  }
  out["detection_rate"] = curve;
  md << "\n![detection rate](detection-rate.png)\n";

  // Calibration: in each score bin, how often the image really is BLURRY.
  md << "\n## Calibration (all labelled held-out images)\n\n"
     << "| score bin | images | mean score | fraction really BLURRY |\n|---|---|---|---|\n";
  double ece = 0;
  std::size_t total = 0;
  std::vector<std::array<double, 3>> bins(10, {0, 0, 0});
  for (const Sample* s : held_out) {
    if (!labelled(*s)) continue;
    const double p = model.score(s->features);
    auto& b = bins[std::min<std::size_t>(9, static_cast<std::size_t>(p * 10))];
    b[0] += 1;
    b[1] += p;
    b[2] += s->label == Label::Blurry;
    ++total;
  }
  nlohmann::json rel = nlohmann::json::array();
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const auto& b = bins[i];
    if (b[0] == 0) continue;
    md << "| " << fmt("%.1f", i / 10.0) << "-" << fmt("%.1f", (i + 1) / 10.0) << " | " << b[0] << " | "
       << fmt("%.3f", b[1] / b[0]) << " | " << fmt("%.3f", b[2] / b[0]) << " |\n";
    ece += std::fabs(b[1] - b[2]) / static_cast<double>(total);
    rel.push_back({{"bin", i}, {"n", b[0]}, {"mean_score", b[1] / b[0]}, {"fraction_blurry", b[2] / b[0]}});
  }
  md << "\nExpected calibration error: " << fmt("%.3f", ece) << "\n";
  out["calibration"] = {{"expected_calibration_error", ece}, {"bins", rel}};

  std::size_t low = 0, low_total = 0;
  for (const Sample* s : held_out) {
    ++low_total;
    low += is_low_texture(s->features, &model);
  }
  md << "\nHeld-out images flagged low_texture: " << low << " of " << low_total << ".\n";
  out["low_texture_held_out"] = low;

  if (!report_dir.empty()) {
    std::filesystem::create_directories(report_dir);
    std::ofstream(std::filesystem::path(report_dir) / "evaluation.md") << md.str();
    draw_plot(held_out, methods.back(), (std::filesystem::path(report_dir) / "detection-rate.png").string());
  }
  return out;
}

}  // namespace focusmeter::train
