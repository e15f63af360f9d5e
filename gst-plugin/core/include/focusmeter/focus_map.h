// focusmeter core: the focus map — a frame judged tile by tile, and the one
// rule that turns tile scores into the frame's verdict (docs/focus-map.md).
//
// Why tiles: one measure over the whole frame is fooled by a small crisp
// part (burnt-in OSD text, a sharp foreground object) in a defocused frame,
// and by a small soft part (a smeared dome corner) in a sharp one. Scoring
// tiles and taking a robust aggregate of their scores is not.
//
//  1. Grid (tile_grid): tiles of about a sixth of the analysed region's
//     shorter side (180 px at 1080p), never under kMinTileSide nor over
//     kMaxTileSide; cols and rows are the region's sides over that size,
//     rounded, at least 1. Tile edges fall at floor(i * side / count), so
//     remainders are spread over the tiles (sizes differ by at most one
//     pixel) and the tiles cover the region exactly once.
//  2. Tile score: the model's own score (probability of BLURRY) of the
//     tile's features, read from passes shared by the whole frame (planes
//     filtered once; filters reaching past a tile's edge see the
//     neighbouring tiles, where a tile cut out as a frame would see itself
//     reflected: docs/focus-map.md, "How tiles are measured").
//  3. Textured: a tile votes only when the model's low-texture guard
//     (low_texture() in features.h, the model's thresholds) finds something
//     to judge in it: flat sky, a wall, black do not vote.
//  4. Overlay (is_overlay): a tile dominated by burnt-in text — thin,
//     crisp strokes at the ends of the luma range (white text, its black
//     outline) over a background with almost no detail of its own — does
//     not vote. OSD covers a small part of a frame, so when more than
//     kMaxOverlayShare of the textured tiles look like that, it is the scene
//     (a snowfield with dark twigs), not an overlay, and they all vote.
//  5. Aggregate (aggregate_map): the frame's score is the median of the
//     voting tiles' scores (a majority of tiles decides; docs/focus-map.md
//     has the measurements against a low quantile and a trimmed mean).
//     `soft_share` is the share of voting tiles at or above the threshold;
//     `partial` is set when it lies in [kPartialLow, kPartialHigh]: a
//     sizeable part of the picture is soft and a sizeable part sharp (one
//     side out of focus, a tilted lens). The verdict still follows the
//     median; `partial` tells the operator to look at the map.
//  6. No voting tile: no score and no verdict — nothing to judge.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "features.h"
#include "judgement.h"
#include "luma_view.h"
#include "model.h"

namespace focusmeter {

// --- 1. The grid ---------------------------------------------------------------

constexpr int kTilesPerShortSide = 6;
constexpr int kMinTileSide = 96;   // below it the 4x-downscale features have too few pixels
constexpr int kMaxTileSide = 320;  // above it (4K) tiles would again mix near and far

struct TileGrid {
  int width = 0, height = 0;  // the region the grid covers
  int cols = 0, rows = 0;     // 0 x 0 for an empty region

  int count() const { return cols * rows; }
  // Tile (col, row) in the region's coordinates; row-major index i is
  // (i % cols, i / cols).
  Rect tile(int col, int row) const;
  Rect tile(int index) const { return tile(index % cols, index / cols); }
};

TileGrid tile_grid(int width, int height);

// --- 4. Overlays ---------------------------------------------------------------

// What is_overlay() reads, measured on a tile's 8-bit luma (interior pixels;
// the Laplacian is 4c - left - right - up - down in grey levels).
struct OverlayStats {
  // Stroke pixels: |Laplacian| >= kStrokeLaplacian and the pixel or one of
  // its four neighbours is at an end of the luma range (>= kBrightLuma or
  // <= kDarkLuma). Their share of the tile's pixels ...
  double stroke_share = 0;
  // ... their share of the tile's Laplacian energy (sum of squares) ...
  double stroke_energy_share = 0;
  // ... and the RMS Laplacian of the pixels farther than kStrokeReach
  // from every stroke pixel (not the glyphs' own softer edges), in grey
  // levels.
  double background_rms = 0;
};
constexpr int kStrokeLaplacian = 96;
constexpr int kStrokeReach = 2;
constexpr int kBrightLuma = 190;
constexpr int kDarkLuma = 40;

OverlayStats overlay_stats(const LumaView& tile);

// Thresholds of the rule (docs/focus-map.md shows how they were checked).
constexpr double kMinStrokeShare = 0.002;      // a few glyphs at least
constexpr double kMaxStrokeShare = 0.25;       // text, not a texture of edges
constexpr double kMinStrokeEnergyShare = 0.6;  // the strokes carry the tile's detail
constexpr double kMaxBackgroundRms = 6.0;      // grey levels, sensor noise removed: a soft background
constexpr double kMaxOverlayShare = 1.0 / 3;   // of the textured tiles, see 4. above

// `noise_sigma`: the tile's (Y/255 units, features.h); white noise of that
// deviation is removed from background_rms before the comparison.
bool is_overlay(const OverlayStats& s, double noise_sigma);

// --- 2.-4. The map ---------------------------------------------------------------

struct FocusMap {
  TileGrid grid;
  std::vector<double> scores;  // per tile, row-major: the model's probability of BLURRY
  std::vector<bool> textured;  // per tile: something to judge (step 3)
  std::vector<bool> overlay;   // per tile: recognised as burnt-in text (step 4)
  std::vector<bool> voting;    // per tile: counted by the aggregate

  bool empty() const { return grid.count() == 0; }
};

// The map of `luma` (the analysed region) under `model`.
FocusMap focus_map(const LumaView& luma, const Model& model);

// --- 5. The aggregate ----------------------------------------------------------------

constexpr double kPartialLow = 0.25;
constexpr double kPartialHigh = 0.75;

struct MapAggregate {
  std::optional<double> score;  // median of the voting tiles' scores; empty without a voter
  int voters = 0;
  int overlay_tiles = 0;  // textured tiles left out as overlays
  double soft_share = 0;  // share of voters at or above the threshold
  bool partial = false;
};

// The median of the voting scores (the mean of the middle two for an even
// count).
MapAggregate aggregate_map(const FocusMap& map, double threshold);

// --- What reports carry -----------------------------------------------------------

// A map as the element's messages and the tools' reports give it (plain
// data, row-major): `textured` tiles had something to judge, `overlay`
// tiles were textured but left out as burnt-in text; the others voted.
struct MapSummary {
  int cols = 0, rows = 0;
  std::vector<double> scores;
  std::vector<bool> textured;
  std::vector<bool> overlay;
  double soft_share = 0;  // MapAggregate's
  bool partial = false;   // MapAggregate's

  // Consistent: cols, rows >= 1 and one value per tile in every list.
  bool valid() const;
  bool operator==(const MapSummary& o) const;
};

MapSummary summarise(const FocusMap& map, const MapAggregate& aggregate);

// --- The frame's judgement ------------------------------------------------------

// Everything one frame's verdict needs, computed once: the frame's features
// (judgement_features(&model), for reports), its map and the aggregate.
// `judgement` starts as judge()'s for the whole frame: when that finds the
// frame low-texture or has no verdict (a non-finite score), it stands as it
// is. Otherwise the score and verdict are the map's aggregate against the
// threshold; with no voting tile there is no verdict, `low_texture` is set
// and `prediction.no_verdict` names the cause ("no textured tile: too dark"
// when the frame's mean luma is under kDarkBrightness, else "no textured
// tile: no detail").
constexpr double kDarkBrightness = 0.1;

struct FrameJudgement {
  FeatureVector features;
  FocusMap map;
  MapAggregate aggregate;
  Judgement judgement;
};

FrameJudgement judge_frame(const Model& model, const LumaView& luma, std::optional<double> threshold = std::nullopt);

// The last steps of judge_frame: `f.aggregate` from `f.map`, then
// `f.judgement` from judge() on `f.features` and that aggregate. For a map
// whose votes changed after judge_frame (static tiles in a stream,
// static_tiles.h).
void settle_judgement(FrameJudgement& f, const Model& model, std::optional<double> threshold);

}  // namespace focusmeter
