#include "train/map_evaluation.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "cli/worker_pool.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/judgement.h"
#include "media/image_luma.h"
#include "train/trainer.h"

namespace focusmeter::train {
namespace {

std::vector<TileRow> tile_rows(const LumaView& frame) {
  const TileGrid grid = tile_grid(frame.width(), frame.height());
  std::vector<TileRow> rows(static_cast<std::size_t>(grid.count()));
  for (int i = 0; i < grid.count(); ++i) {
    const LumaView tile = frame.cropped(grid.tile(i));
    TileRow& t = rows[static_cast<std::size_t>(i)];
    t.index = i;
    t.features = compute_features(tile, all_features());
    t.textured = !low_texture(t.features, kTrainedLowTexture);
    t.overlay = is_overlay(overlay_stats(tile), t.features[Feature::NoiseSigma]);
  }
  return rows;
}

}  // namespace

bool judge_through_map(const std::vector<Sample>& samples, const std::vector<std::size_t>& which,
                       const std::vector<const Model*>& models, int jobs,
                       std::vector<std::vector<MapVerdict>>& verdicts, std::vector<std::vector<TileRow>>* tiles,
                       std::string& error) {
  if (verdicts.size() < samples.size()) verdicts.resize(samples.size());
  if (tiles && tiles->size() < samples.size()) tiles->resize(samples.size());
  std::mutex mutex;
  std::string first_error;
  std::atomic<std::size_t> finished{0};
  cli::for_each_index(which.size(), static_cast<std::size_t>(std::max(1, jobs)), [&](std::size_t k) {
    const std::size_t i = which[k];
    media::LumaImage img;
    std::string why;
    if (!media::decode_image_file(samples[i].path, img, why)) {
      std::lock_guard<std::mutex> lock(mutex);
      if (first_error.empty()) first_error = samples[i].path + ": " + why;
      return false;
    }
    std::vector<MapVerdict> mine;
    for (const Model* model : models) {
      const FrameJudgement f = judge_frame(*model, img.view());
      MapVerdict v;
      v.unknown = !f.judgement.verdict.has_value();
      v.blurry = f.judgement.verdict == Verdict::Blurry;
      v.score = f.judgement.score.value_or(0.5);
      mine.push_back(v);
    }
    verdicts[i] = std::move(mine);  // distinct rows: no lock needed
    if (tiles) (*tiles)[i] = tile_rows(img.view());
    const std::size_t n = ++finished;
    if (n % 100 == 0) std::fprintf(stderr, "eval: focus map %zu / %zu\n", n, which.size());
    return true;
  });
  if (!first_error.empty()) {
    error = first_error;
    return false;
  }
  return true;
}

}  // namespace focusmeter::train
