// The focus map and its aggregate (focus_map.h, steps 2-6).
#include "focusmeter/focus_map.h"

#include <algorithm>
#include <cmath>

#include "frame_planes.h"
#include "tile_features.h"

namespace focusmeter {

namespace {

// Steps 2-4 from the frame's shared planes (tile_features.h), band by band:
// planes.full_g holds one band of tiles at a time, handed to `frame_edge`
// (judge_frame's: the frame's own edge_sharpness) when there is one.
FocusMap map_from_planes(detail::FramePlanes& planes, const detail::TileBlur& blur, const TileGrid& grid,
                         const Model& model, detail::FrameEdge* frame_edge) {
  FocusMap map;
  map.grid = grid;
  const int n = map.grid.count();
  map.scores.assign(n, 0.0);
  map.textured.assign(n, false);
  map.overlay.assign(n, false);
  map.voting.assign(n, false);
  const FeatureMask wanted = judgement_features(&model);
  int textured = 0, overlays = 0;
  std::vector<detail::TileSums> band;
  for (int i = 0; i < n; ++i) {
    const Rect r = map.grid.tile(i);
    // A new band of tiles: its full-resolution planes (2 MB at 1080p, so
    // they are still in cache when the band's tiles read them).
    if (i % grid.cols == 0) {
      detail::gradient_planes(planes.luma, r.top, r.top + r.height, planes.full_g);
      if (frame_edge) frame_edge->add(planes.full_g);
      detail::band_sums(planes, grid, i / grid.cols, band);
    }
    const FeatureVector fv = detail::tile_features(planes, r, band[i % grid.cols], blur.tiles[i], wanted);
    map.scores[i] = model.score(fv);
    map.textured[i] = !low_texture(fv, model.low_texture_thresholds()) && std::isfinite(map.scores[i]);
    if (!map.textured[i]) continue;
    ++textured;
    map.overlay[i] = is_overlay(detail::overlay_stats_in(planes.luma, planes.full_g, r), fv[Feature::NoiseSigma]);
    overlays += map.overlay[i] ? 1 : 0;
  }
  // Most of the picture looking like an overlay is the scene, not an OSD.
  const bool drop_overlays = overlays <= kMaxOverlayShare * textured;
  for (int i = 0; i < n; ++i) map.voting[i] = map.textured[i] && !(drop_overlays && map.overlay[i]);
  return map;
}

// The planes of a frame, kept per thread: a 1080p frame's are about 16 MB,
// allocated once rather than per frame.
struct Scratch {
  detail::FramePlanes planes;
  detail::TileBlur blur;
  detail::FrameEdge edge;
};

// The shared passes of a frame, into the thread's scratch.
Scratch& shared_passes(const LumaView& luma, const TileGrid& grid) {
  thread_local Scratch s;
  detail::frame_planes(luma, s.planes);
  detail::tile_blur(luma, grid, s.blur);
  return s;
}

}  // namespace

FocusMap focus_map(const LumaView& luma, const Model& model) {
  const TileGrid grid = tile_grid(luma.width(), luma.height());
  Scratch& s = shared_passes(luma, grid);
  return map_from_planes(s.planes, s.blur, grid, model, nullptr);
}

MapAggregate aggregate_map(const FocusMap& map, double threshold) {
  MapAggregate a;
  std::vector<double> votes;
  for (int i = 0; i < map.grid.count(); ++i) {
    if (map.voting[i]) votes.push_back(map.scores[i]);
    if (map.textured[i] && map.overlay[i] && !map.voting[i]) ++a.overlay_tiles;
  }
  a.voters = static_cast<int>(votes.size());
  if (votes.empty()) return a;
  std::sort(votes.begin(), votes.end());
  const std::size_t m = votes.size() / 2;
  a.score = votes.size() % 2 ? votes[m] : (votes[m - 1] + votes[m]) / 2;
  const auto soft = std::count_if(votes.begin(), votes.end(), [&](double s) { return s >= threshold; });
  a.soft_share = static_cast<double>(soft) / static_cast<double>(votes.size());
  a.partial = a.soft_share >= kPartialLow && a.soft_share <= kPartialHigh;
  return a;
}

bool MapSummary::valid() const {
  const auto n = static_cast<std::size_t>(cols) * static_cast<std::size_t>(rows);
  return cols >= 1 && rows >= 1 && scores.size() == n && textured.size() == n && overlay.size() == n;
}

bool MapSummary::operator==(const MapSummary& o) const {
  return cols == o.cols && rows == o.rows && scores == o.scores && textured == o.textured && overlay == o.overlay &&
         soft_share == o.soft_share && partial == o.partial;
}

MapSummary summarise(const FocusMap& map, const MapAggregate& aggregate) {
  MapSummary s;
  s.cols = map.grid.cols;
  s.rows = map.grid.rows;
  s.scores = map.scores;
  s.textured = map.textured;
  s.overlay.assign(map.scores.size(), false);
  for (std::size_t i = 0; i < s.overlay.size(); ++i) s.overlay[i] = map.textured[i] && !map.voting[i];
  s.soft_share = aggregate.soft_share;
  s.partial = aggregate.partial;
  return s;
}

FrameJudgement judge_frame(const Model& model, const LumaView& luma, std::optional<double> threshold) {
  FrameJudgement f;
  // The frame's features and its map from the same passes (tile_features.h).
  const TileGrid grid = tile_grid(luma.width(), luma.height());
  Scratch& s = shared_passes(luma, grid);
  // The full-resolution planes go by a band of tiles at a time (each band
  // stays in cache while its tiles read it); the frame's edge_sharpness is
  // gathered from the same bands (FrameEdge), never from whole planes.
  s.edge.reset(luma.width(), luma.height());
  f.map = map_from_planes(s.planes, s.blur, grid, model, &s.edge);
  if (!s.edge.complete()) detail::gradient_planes(luma, s.planes.full_g);  // no band at all (an empty grid)
  f.features = detail::frame_features(s.planes, s.blur.frame, judgement_features(&model), &s.edge);
  settle_judgement(f, model, threshold);
  return f;
}

void settle_judgement(FrameJudgement& f, const Model& model, std::optional<double> threshold) {
  const double t = threshold.value_or(model.threshold());
  f.aggregate = aggregate_map(f.map, t);
  f.judgement = judge(model, f.features, threshold);
  if (!f.judgement.verdict) return;  // nothing to judge in the whole frame, or no score
  Judgement& j = f.judgement;
  if (!f.aggregate.score) {  // textured as a whole, but no tile has enough to vote
    j.low_texture = true;
    j.verdict.reset();
    j.score.reset();
    const bool dark = f.features[Feature::Brightness] < kDarkBrightness;
    j.no_verdict = NoVerdict{dark ? NoVerdictKind::TooDark : NoVerdictKind::NoDetail,
                             dark ? "no textured tile: too dark" : "no textured tile: no detail to judge focus"};
    return;
  }
  j.score = *f.aggregate.score;
  j.verdict = *j.score >= t ? Verdict::Blurry : Verdict::Clear;
}

}  // namespace focusmeter
