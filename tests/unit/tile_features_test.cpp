// The focus map's tiles measured from shared whole-frame passes
// (gst-plugin/core/src/tile_features.h) against each tile cut out and
// measured as a frame of its own: equal where only the tile's own pixels
// count, close where filters reach past the tile's edges; and the same
// bits on every kernel table.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <utility>
#include <vector>

#include "focusmeter/features.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/model.h"
#include "frame_planes.h"
#include "kernels.h"
#include "tile_features.h"

namespace fm = focusmeter;

namespace {

cv::Mat fixture(const char* name) {
  return cv::imread(std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name, cv::IMREAD_GRAYSCALE);
}

fm::LumaView view(const cv::Mat& m) { return fm::LumaView(m.data, m.cols, m.rows, m.step[0]); }

// A 1080p-like frame made of the fixtures, with camera-like OSD text; odd
// sizes so that tile edges fall on odd columns and rows.
cv::Mat scene(int w, int h) {
  cv::Mat tiled(h, w, CV_8U);
  const cv::Mat srcs[] = {fixture("brick_512x512.png"), fixture("camera_512x512.png"),
                          fixture("astronaut_641x479.png")};
  for (int y = 0; y < h; y += 400)
    for (int x = 0; x < w; x += 400) {
      const cv::Mat& s = srcs[(x / 400 + y / 400) % 3];
      const cv::Rect dst(x, y, std::min(400, w - x), std::min(400, h - y));
      s(cv::Rect(0, 0, dst.width, dst.height)).copyTo(tiled(dst));
    }
  // OSD-like text: white with a black outline, no anti-aliasing.
  for (int k = 0; k < 2; ++k) {
    const cv::Point at(20, 40 + k * (h - 60));
    cv::putText(tiled, "2026-12-03 15:04:05 CAM 01", at, cv::FONT_HERSHEY_SIMPLEX, 1.0, 0, 5, cv::LINE_8);
    cv::putText(tiled, "2026-12-03 15:04:05 CAM 01", at, cv::FONT_HERSHEY_SIMPLEX, 1.0, 255, 2, cv::LINE_8);
  }
  return tiled;
}

struct Shared {
  fm::detail::FramePlanes planes;
  fm::detail::TileBlur blur;
  fm::TileGrid grid;
};

void measure(const fm::LumaView& v, Shared& s) {
  s.grid = fm::tile_grid(v.width(), v.height());
  fm::detail::frame_planes(v, s.planes);
  fm::detail::tile_blur(v, s.grid, s.blur);
}

}  // namespace

TEST(TileFeatures, SharedPassesMatchTilesCutOutAsFrames) {
  const cv::Mat m = scene(1279, 721);
  const fm::LumaView v = view(m);
  Shared s;
  measure(v, s);
  ASSERT_GT(s.grid.count(), 4);
  const fm::FeatureMask all = fm::all_features();
  for (int i = 0; i < s.grid.count(); ++i) {
    const fm::Rect r = s.grid.tile(i);
    fm::detail::gradient_planes(v, r.top, r.top + r.height, s.planes.full_g);
    std::vector<fm::detail::TileSums> band;
    fm::detail::band_sums(s.planes, s.grid, i / s.grid.cols, band);
    const fm::FeatureVector shared =
        fm::detail::tile_features(s.planes, r, band[static_cast<std::size_t>(i % s.grid.cols)], s.blur.tiles[i], all);
    const fm::FeatureVector alone = fm::compute_features(v.cropped(r), all);
    // Only the tile's own pixels: equal.
    EXPECT_EQ(shared[fm::Feature::Brightness], alone[fm::Feature::Brightness]) << i;
    EXPECT_EQ(shared[fm::Feature::NoiseSigma], alone[fm::Feature::NoiseSigma]) << i;
    EXPECT_NEAR(shared[fm::Feature::Contrast], alone[fm::Feature::Contrast], 1e-12) << i;
    EXPECT_EQ(shared[fm::Feature::EdgeSharpness2x], alone[fm::Feature::EdgeSharpness2x]) << i;
    // Filters reaching past the edges see the neighbouring tiles instead
    // of the tile reflected: a border effect, a few per cent.
    for (fm::Feature f : {fm::Feature::LaplacianVariance, fm::Feature::ScharrVariance, fm::Feature::EdgeSharpness,
                          fm::Feature::BlurEffect}) {
      EXPECT_NEAR(shared[f] / alone[f], 1.0, 0.15) << i << " " << fm::feature_name(f);
    }
    // Burnt-in text reads interior pixels only: exactly the tile's.
    const fm::OverlayStats a = fm::detail::overlay_stats_in(v, s.planes.full_g, r);
    const fm::OverlayStats b = fm::overlay_stats(v.cropped(r));
    EXPECT_EQ(a.stroke_share, b.stroke_share) << i;
    EXPECT_EQ(a.stroke_energy_share, b.stroke_energy_share) << i;
    EXPECT_EQ(a.background_rms, b.background_rms) << i;
  }
}

TEST(TileFeatures, BlurPassGivesTheFramesBlurEffect) {
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1279, 721}, {640, 480}, {97, 301}, {5, 3}}) {
    const cv::Mat m = scene(w, h);
    const fm::LumaView v = view(m);
    Shared s;
    measure(v, s);
    EXPECT_EQ(s.blur.frame.value(w, h), fm::blur_effect(v)) << w << "x" << h;
  }
}

TEST(TileFeatures, EdgeSharpnessOfWholePlanesIsTheFrames) {
  const cv::Mat m = scene(1279, 721);
  const fm::LumaView v = view(m);
  fm::detail::GradientPlanes g;
  fm::detail::gradient_planes(v, g);
  EXPECT_EQ(fm::detail::edge_sharpness_in(g, fm::Rect{0, 0, v.width(), v.height()}, 0.004),
            fm::edge_sharpness(v, 0.004));
}

TEST(TileFeatures, EveryKernelTableGivesTheSameMap) {
  cv::Mat m;
  cv::GaussianBlur(scene(1279, 721), m, cv::Size(9, 9), 3);
  const fm::LumaView v = view(m);
  const auto model = fm::default_model();
  fm::detail::force_portable_kernels(true);
  const fm::FocusMap portable = fm::focus_map(v, *model);
  fm::detail::force_portable_kernels(false);
  const fm::FocusMap best = fm::focus_map(v, *model);
  EXPECT_EQ(portable.scores, best.scores);
  EXPECT_EQ(portable.voting, best.voting);
  std::printf("kernel tables: %zu (%s)\n", fm::detail::available_kernels().size(), fm::detail::kernels().isa);
}

// The row kernels the tiles use, on every table, against plain loops: the
// extremes of their ranges (|Laplacian| 1020, magnitudes near 2 x 4080^2)
// included, where a narrower sum would overflow.
TEST(TileFeatures, RowKernelsMatchTheDefinitionOnEveryTable) {
  std::mt19937 rng(7);
  constexpr std::uint32_t kMaxMag = 2u * 4080 * 4080;
  for (const fm::detail::Kernels* k : fm::detail::available_kernels())
    for (int t = 0; t < 60; ++t) {
      const std::size_t n = t == 0 ? 0 : rng() % 3000;
      std::vector<std::int16_t> lap(n);
      std::vector<std::uint32_t> mag(n);
      std::vector<std::uint8_t> luma(n);
      for (std::size_t i = 0; i < n; ++i) {
        lap[i] = t % 4 == 1 ? static_cast<std::int16_t>(i % 2 ? 1020 : -1020)
                            : static_cast<std::int16_t>(static_cast<int>(rng() % 2041) - 1020);
        mag[i] = t % 2 ? kMaxMag - rng() % 1000 : rng() % (kMaxMag + 1);
        luma[i] = static_cast<std::uint8_t>(t % 4 == 1 ? 255 : rng() % 256);
      }
      const std::uint32_t cut = t % 3 == 0 ? 1 : rng() % kMaxMag;
      std::int64_t l2 = 0, m2 = 0, c = 0, want_l2 = 0, want_m2 = 0, want_c = 0;
      k->sums_above(lap.data(), mag.data(), n, cut, l2, m2, c);
      for (std::size_t i = 0; i < n; ++i)
        if (mag[i] >= cut) want_l2 += lap[i] * lap[i], want_m2 += mag[i], ++want_c;
      EXPECT_EQ(l2, want_l2) << k->isa << " " << t;
      EXPECT_EQ(m2, want_m2) << k->isa << " " << t;
      EXPECT_EQ(c, want_c) << k->isa << " " << t;

      std::int64_t got_sum = 5, got_sq = 7, want_sum = 5, want_sq = 7;  // added to what is there
      k->lap_sums(lap.data(), static_cast<int>(n), got_sum, got_sq);
      for (std::size_t i = 0; i < n; ++i) want_sum += lap[i], want_sq += lap[i] * lap[i];
      EXPECT_EQ(got_sum, want_sum) << k->isa << " " << t;
      EXPECT_EQ(got_sq, want_sq) << k->isa << " " << t;

      const int w = static_cast<int>(std::min<std::size_t>(n, 480));  // a tile row
      fm::detail::TileSums got;
      k->tile_row(lap.data(), mag.data(), luma.data(), w, got);
      std::int64_t ls = 0, lq = 0, ys = 0, yq = 0;
      double ms = 0;
      int lm = INT32_MIN;
      for (int i = 0; i < w; ++i)
        ls += lap[i], lq += lap[i] * lap[i], lm = std::max<int>(lm, lap[i]), ys += luma[i], yq += luma[i] * luma[i],
                                             ms += mag[i];
      EXPECT_EQ(got.lap_sum, ls) << k->isa << " " << t;
      EXPECT_EQ(got.lap_sq, lq) << k->isa << " " << t;
      if (w > 0) {
        EXPECT_EQ(got.lap_max, lm) << k->isa << " " << t;
      }
      EXPECT_EQ(got.luma_sum, ys) << k->isa << " " << t;
      EXPECT_EQ(got.luma_sq, yq) << k->isa << " " << t;
      EXPECT_EQ(got.mag_sum, ms) << k->isa << " " << t;  // integers below 2^53: exact in any order
      fm::detail::TileSums portable;
      fm::detail::portable_kernels().tile_row(lap.data(), mag.data(), luma.data(), w, portable);
      EXPECT_EQ(got.mag_root, portable.mag_root) << k->isa << " " << t;  // one fixed order on every table
    }
}

// edge_sharpness_in's bar (kernel top_row on every table) against the
// definition: the 1024-wide bin of the want-th largest sampled value, by
// sorting; and FrameEdge (the planes handed over in bands) against
// edge_sharpness_in on the whole planes. Regions at odd and even offsets; values random, tied, increasing (every sample
// raises the heap's bar), falling along rows while rising from row to row
// (a vector kernel must compare each lane with the bar the previous lanes
// raised), and mostly zero.
TEST(TileFeatures, EdgeCutAndFrameEdgeMatchTheDefinition) {
  std::mt19937 rng(11);
  constexpr std::uint32_t kMaxMag = 2u * 4080 * 4080;
  fm::detail::GradientPlanes g;
  g.width = 203;
  g.height = 157;
  g.top = 0;
  g.lap.assign(static_cast<std::size_t>(g.width) * g.height, 0);
  g.mag.resize(g.lap.size());
  for (int kind = 0; kind < 5; ++kind) {
    for (std::size_t i = 0; i < g.mag.size(); ++i) {
      switch (kind) {
        case 0:
          g.mag[i] = rng() % (kMaxMag + 1);
          break;
        case 1:  // few values, many ties
          g.mag[i] = 1024 * (rng() % 8) + (rng() % 2);
          break;
        case 2:  // only increasing
          g.mag[i] = static_cast<std::uint32_t>(i) * 997;
          break;
        case 3:  // falling along each row, rising from row to row
          g.mag[i] = static_cast<std::uint32_t>((i / g.width) * 256 + 255 - i % g.width) * 700;
          break;
        default:
          g.mag[i] = rng() % 50 == 0 ? rng() % 70000 : 0;
          break;
      }
    }
    for (int t = 0; t < 12; ++t) {
      const int left = static_cast<int>(rng() % 40), top = static_cast<int>(rng() % 40);
      const fm::Rect r{left, top, 1 + static_cast<int>(rng() % (g.width - left)),
                       1 + static_cast<int>(rng() % (g.height - top))};
      std::vector<std::uint32_t> sampled;
      for (int y = r.top; y < r.top + r.height; y += 2)
        for (int x = r.left; x < r.left + r.width; x += 2) sampled.push_back(g.mag_row(y)[x]);
      const std::size_t want = t % 3 == 0 ? 1 : 1 + rng() % std::min<std::size_t>(sampled.size(), 300);
      std::sort(sampled.begin(), sampled.end(), std::greater<>());
      const std::uint32_t expected = std::max<std::uint32_t>(1, sampled[want - 1] >> 10 << 10);
      for (const fm::detail::Kernels* k : fm::detail::available_kernels()) {
        fm::detail::force_portable_kernels(k == &fm::detail::portable_kernels());
        EXPECT_EQ(fm::detail::edge_cut(g, r, want), expected) << k->isa << " " << kind << " " << t;
      }
      fm::detail::force_portable_kernels(false);
    }
    for (int t = 0; t < 4; ++t) {
      for (std::size_t i = 0; i < g.lap.size(); ++i) g.lap[i] = static_cast<std::int16_t>(rng() % 2041) - 1020;
      const double fraction = t == 0 ? 0.01 : 0.001 + (rng() % 100) / 1000.0;
      const double whole = fm::detail::edge_sharpness_in(g, fm::Rect{0, 0, g.width, g.height}, 0.003, fraction);
      for (const fm::detail::Kernels* k : fm::detail::available_kernels()) {
        fm::detail::force_portable_kernels(k == &fm::detail::portable_kernels());
        fm::detail::FrameEdge edge;
        edge.reset(g.width, g.height, fraction);
        for (int top = 0; top < g.height;) {  // bands of 1 to 40 rows
          const int rows = std::min(g.height - top, 1 + static_cast<int>(rng() % 40));
          fm::detail::GradientPlanes band;
          band.width = g.width;
          band.height = rows;
          band.top = top;
          const auto from = static_cast<std::ptrdiff_t>(top) * g.width, to = from + rows * g.width;
          band.lap.assign(g.lap.begin() + from, g.lap.begin() + to);
          band.mag.assign(g.mag.begin() + from, g.mag.begin() + to);
          edge.add(band);
          top += rows;
        }
        ASSERT_TRUE(edge.complete());
        EXPECT_EQ(edge.value(0.003), whole) << k->isa << " " << kind << " " << t;
      }
      fm::detail::force_portable_kernels(false);
    }
  }
}

// judge_frame reads the frame's multi-scale features and blur_effect from
// the passes its map shares; they are compute_features' to the bit.
TEST(TileFeatures, FrameFeaturesFromTheSharedPassesAreComputeFeatures) {
  const auto model = fm::default_model();
  const fm::FeatureMask wanted = fm::judgement_features(model.get()) | fm::all_features();
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1279, 721}, {97, 301}, {5, 3}, {3, 1}, {1, 1}}) {
    const cv::Mat m = scene(w, h);
    const fm::LumaView v = view(m);
    const fm::FeatureVector alone = fm::compute_features(v, wanted);
    Shared s;
    measure(v, s);
    fm::detail::gradient_planes(v, s.planes.full_g);
    const fm::FeatureVector shared = fm::detail::frame_features(s.planes, s.blur.frame, wanted);
    EXPECT_EQ(shared.present, alone.present) << w << "x" << h;
    for (std::size_t f = 0; f < fm::kFeatureCount; ++f)
      EXPECT_EQ(shared.values[f], alone.values[f]) << w << "x" << h << " " << fm::feature_name(fm::Feature(f));
    EXPECT_EQ(fm::judge_frame(*model, v).features.values, alone.values) << w << "x" << h;
  }
}
