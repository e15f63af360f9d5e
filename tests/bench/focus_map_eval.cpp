// How the focus map's aggregate was chosen (docs/focus-map.md): every
// source photo of the trainer (train/dataset.cpp's default_sources), framed
// to 1080p, in the cases issue 12 names, judged by the shipped model on the
// whole frame and through the map with several aggregates of the voting
// tiles' scores. Prints one table row per case and aggregate: the share of
// frames that got the expected verdict (and, for half-soft, the share
// flagged partial).
//
//   build/tests/bench/focus-map-eval [model.json]   (default: the shipped model)
//   build/tests/bench/focus-map-eval --examples DIR
//     writes three colour 1080p JPEGs made from the trainer's 4K photo
//     (sharp, defocused r5 with OSD text, left half soft r6) for README.md.
//   build/tests/bench/focus-map-eval --held-out SET [model.json]
//     the trainer's held-out split of SET (`focusmeter train dataset`; the
//     trainer's seed and fraction): balanced accuracy and false alarms of
//     the whole-frame verdict and of the map's, on the target task and on
//     every labelled image (train/evaluation.h's definitions).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <memory>
#include <string>
#include <vector>

#include "../common/constructed_frames.h"
#include "focusmeter/focus_map.h"
#include "media/image_luma.h"
#include "train/dataset.h"
#include "train/evaluation.h"
#include "train/labelled_set.h"
#include "train/trainer.h"

namespace fm = focusmeter;

namespace {

using Scores = std::vector<double>;

double quantile(Scores v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * (v.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  const double f = pos - i;
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

double trimmed_mean(Scores v, double cut) {
  std::sort(v.begin(), v.end());
  const auto k = static_cast<std::size_t>(cut * v.size());
  double s = 0;
  for (std::size_t i = k; i < v.size() - k; ++i) s += v[i];
  return s / (v.size() - 2 * k);
}

struct Aggregate {
  const char* name;
  std::function<double(const Scores&)> f;
};

struct Case {
  const char* name;
  bool blurry;  // the expected verdict
  std::function<cv::Mat(const cv::Mat&)> make;
};

}  // namespace

int write_examples(const std::string& dir) {
  const std::string photo = fm::train::default_sources().back();  // Elephants_3840x2160.jpg
  const cv::Mat src = cv::imread(photo, cv::IMREAD_COLOR);
  if (src.empty()) {
    std::fprintf(stderr, "focus-map-eval: cannot read %s\n", photo.c_str());
    return 1;
  }
  const cv::Mat sharp = fm::test::frame_of(src, 1920, 1080);
  cv::Mat osd = fm::test::defocus(sharp, 5);
  fm::test::draw_osd(osd);
  const cv::Mat half = fm::test::soften_region(sharp, cv::Rect(0, 0, 960, 1080), 6);
  const std::vector<int> q = {cv::IMWRITE_JPEG_QUALITY, 92};
  const bool ok = cv::imwrite(dir + "/sharp.jpg", sharp, q) && cv::imwrite(dir + "/defocus-r5-osd.jpg", osd, q) &&
                  cv::imwrite(dir + "/half-soft.jpg", half, q);
  if (!ok) std::fprintf(stderr, "focus-map-eval: cannot write to %s\n", dir.c_str());
  return ok ? 0 : 1;
}

struct Rates {
  int clear = 0, blurry = 0, false_alarms = 0, detected = 0;
  void add(bool is_blurry, bool called_blurry) {
    (is_blurry ? blurry : clear)++;
    if (called_blurry) (is_blurry ? detected : false_alarms)++;
  }
  double false_alarm_rate() const { return clear ? double(false_alarms) / clear : 0; }
  double detection_rate() const { return blurry ? double(detected) / blurry : 0; }
  double balanced() const { return 0.5 * (1 - false_alarm_rate() + detection_rate()); }
};

// A model file, or the compiled-in shipped model.
std::shared_ptr<const fm::Model> load(const char* path) {
  return path ? std::make_shared<const fm::Model>(fm::Model::load(path)) : fm::default_model();
}

int held_out(const std::string& set, const fm::Model& model) {
  std::vector<fm::train::Sample> samples;
  std::string error;
  if (!fm::train::read_labelled_set(set, samples, error)) {
    std::fprintf(stderr, "focus-map-eval: %s\n", error.c_str());
    return 1;
  }
  const fm::train::TrainOptions defaults;
  // [target, all labelled] x [whole frame, map]
  Rates rates[2][2];
  int judged = 0;
  for (const fm::train::Sample& s : samples) {
    if (s.label == fm::train::Label::Ambiguous || !fm::train::is_held_out(s.source, defaults.seed, defaults.holdout))
      continue;
    fm::media::LumaImage img;
    if (!fm::media::decode_image_file(s.path, img, error)) {
      std::fprintf(stderr, "focus-map-eval: %s: %s\n", s.path.c_str(), error.c_str());
      return 1;
    }
    const fm::FrameJudgement f = fm::judge_frame(model, img.view());
    const bool whole = fm::judge(model, f.features).verdict == fm::Verdict::Blurry;
    const bool map = f.judgement.verdict == fm::Verdict::Blurry;
    const bool blurry = s.label == fm::train::Label::Blurry;
    for (int set_i = 0; set_i < 2; ++set_i) {
      if (set_i == 0 && !fm::train::in_target(s)) continue;
      rates[set_i][0].add(blurry, whole);
      rates[set_i][1].add(blurry, map);
    }
    ++judged;
  }
  std::printf("held-out images of %s: %d labelled, model %s\n", set.c_str(), judged, model.origin().c_str());
  std::printf(
      "| verdict | set | balanced accuracy | false alarms | detection rate | n clear / blurry "
      "|\n|---|---|---|---|---|---|\n");
  for (int set_i = 0; set_i < 2; ++set_i)
    for (int v = 0; v < 2; ++v) {
      const Rates& r = rates[set_i][v];
      std::printf("| %s | %s | %.3f | %.3f | %.3f | %d / %d |\n", v ? "focus map (median tile)" : "whole frame",
                  set_i ? "all labelled" : "target", r.balanced(), r.false_alarm_rate(), r.detection_rate(), r.clear,
                  r.blurry);
    }
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--held-out")
    return held_out(argv[2], *load(argc > 3 ? argv[3] : nullptr));
  if (argc == 3 && std::string(argv[1]) == "--examples") return write_examples(argv[2]);
  const std::shared_ptr<const fm::Model> shipped = load(argc > 1 ? argv[1] : nullptr);
  const fm::Model& model = *shipped;
  const double t = model.threshold();
  const std::vector<Aggregate> aggregates = {
      {"median", [](const Scores& s) { return quantile(s, 0.5); }},
      {"q0.75 (low sharpness quantile)", [](const Scores& s) { return quantile(s, 0.75); }},
      {"q0.25", [](const Scores& s) { return quantile(s, 0.25); }},
      {"trimmed mean 25%", [](const Scores& s) { return trimmed_mean(s, 0.25); }},
      {"mean", [](const Scores& s) { return std::accumulate(s.begin(), s.end(), 0.0) / s.size(); }},
  };
  const int W = 1920, H = 1080;
  const std::vector<Case> cases = {
      {"sharp", false, [](const cv::Mat& m) { return m; }},
      {"sharp + OSD", false,
       [](const cv::Mat& m) {
         cv::Mat o = m.clone();
         fm::test::draw_osd(o);
         return o;
       }},
      {"sharp + soft corner (r 8, 1/9 of frame)", false,
       [&](const cv::Mat& m) { return fm::test::soften_region(m, cv::Rect(0, 0, W / 3, H / 3), 8); }},
      {"sharp + soft bottom strip (r 8, 1/4)", false,
       [&](const cv::Mat& m) { return fm::test::soften_region(m, cv::Rect(0, H * 3 / 4, W, H / 4), 8); }},
      {"sharp + noise 4", false, [](const cv::Mat& m) { return fm::test::with_noise(m, 4); }},
      {"defocus r4", true, [](const cv::Mat& m) { return fm::test::defocus(m, 4); }},
      {"defocus r4 + OSD", true,
       [](const cv::Mat& m) {
         cv::Mat o = fm::test::defocus(m, 4);
         fm::test::draw_osd(o);
         return o;
       }},
      {"defocus r6 + OSD", true,
       [](const cv::Mat& m) {
         cv::Mat o = fm::test::defocus(m, 6);
         fm::test::draw_osd(o);
         return o;
       }},
      {"defocus r5 + OSD + noise 4", true,
       [](const cv::Mat& m) {
         cv::Mat o = fm::test::defocus(m, 5);
         fm::test::draw_osd(o);
         return fm::test::with_noise(o, 4);
       }},
      {"half soft (left, r 6)", true,
       [&](const cv::Mat& m) { return fm::test::soften_region(m, cv::Rect(0, 0, W / 2, H), 6); }},
  };

  struct Tally {
    int n = 0, frame_ok = 0, overlay_frames = 0, partial = 0, no_voter = 0;
    std::vector<int> ok;
  };
  std::map<std::string, Tally> tally;
  double map_ms = 0, frame_ms = 0;
  int timed = 0;
  for (const std::string& path : fm::train::default_sources()) {
    const cv::Mat src = cv::imread(path, cv::IMREAD_GRAYSCALE);
    if (src.empty()) {
      std::fprintf(stderr, "skipped (unreadable): %s\n", path.c_str());
      continue;
    }
    const cv::Mat base = fm::test::frame_of(src, W, H);
    for (const Case& c : cases) {
      const cv::Mat m = c.make(base);
      const fm::LumaView v(m.data, m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0]));
      const auto t0 = std::chrono::steady_clock::now();
      const fm::FocusMap map = fm::focus_map(v, model);
      const auto t1 = std::chrono::steady_clock::now();
      const fm::Judgement whole = fm::judge(model, fm::compute_features(v, fm::judgement_features(&model)));
      const auto t2 = std::chrono::steady_clock::now();
      map_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
      frame_ms += std::chrono::duration<double, std::milli>(t2 - t1).count();
      ++timed;
      Tally& tl = tally[c.name];
      tl.ok.resize(aggregates.size());
      ++tl.n;
      tl.frame_ok += (whole.verdict ? *whole.score >= t : false) == c.blurry;
      const fm::MapAggregate agg = fm::aggregate_map(map, t);
      tl.partial += agg.partial;
      tl.overlay_frames += agg.overlay_tiles > 0;
      Scores s;
      for (int i = 0; i < map.grid.count(); ++i)
        if (map.voting[i]) s.push_back(map.scores[i]);
      if (s.empty()) {
        ++tl.no_voter;
        continue;
      }
      for (std::size_t a = 0; a < aggregates.size(); ++a) tl.ok[a] += (aggregates[a].f(s) >= t) == c.blurry;
    }
  }
  std::printf("model %s, threshold %.2f, 1080p frames, grid %dx%d\n", model.origin().c_str(), t,
              fm::tile_grid(W, H).cols, fm::tile_grid(W, H).rows);
  std::printf("| case | n | whole frame |");
  for (const Aggregate& a : aggregates) std::printf(" %s |", a.name);
  std::printf(" partial | OSD tiles found | no voter |\n|---|---|---|");
  for (std::size_t a = 0; a < aggregates.size(); ++a) std::printf("---|");
  std::printf("---|---|---|\n");
  for (const Case& c : cases) {
    const Tally& tl = tally[c.name];
    if (tl.n == 0) continue;
    std::printf("| %s (%s) | %d | %.2f |", c.name, c.blurry ? "BLURRY" : "CLEAR", tl.n,
                static_cast<double>(tl.frame_ok) / tl.n);
    for (std::size_t a = 0; a < aggregates.size(); ++a) std::printf(" %.2f |", static_cast<double>(tl.ok[a]) / tl.n);
    std::printf(" %.2f | %.2f | %d |\n", static_cast<double>(tl.partial) / tl.n,
                static_cast<double>(tl.overlay_frames) / tl.n, tl.no_voter);
  }
  std::printf("mean time per 1080p frame: map %.1f ms, whole-frame features %.1f ms (%d frames)\n", map_ms / timed,
              frame_ms / timed, timed);
  return 0;
}
