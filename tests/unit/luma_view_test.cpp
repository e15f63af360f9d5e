#include <gtest/gtest.h>

#include <vector>

#include "focusmeter/features.h"
#include "focusmeter/luma_view.h"

namespace fm = focusmeter;

TEST(LumaView, RejectsBadGeometry) {
  std::vector<std::uint8_t> px(100);
  EXPECT_THROW(fm::LumaView(px.data(), 10, 10, 9), std::invalid_argument);
  EXPECT_THROW(fm::LumaView(px.data(), -1, 10, 10), std::invalid_argument);
  EXPECT_THROW(fm::LumaView(nullptr, 4, 4, 4), std::invalid_argument);
  EXPECT_NO_THROW(fm::LumaView(px.data(), 10, 10, 10));
}

TEST(LumaView, CroppedClipsToTheFrame) {
  std::vector<std::uint8_t> px(20 * 10);
  const fm::LumaView v(px.data(), 16, 10, 20);
  const fm::LumaView c = v.cropped({4, 2, 100, 0});
  EXPECT_EQ(c.width(), 12);
  EXPECT_EQ(c.height(), 8);
  EXPECT_EQ(c.stride(), 20);
  EXPECT_EQ(c.data(), px.data() + 2 * 20 + 4);
  EXPECT_TRUE(v.cropped({16, 0, 5, 5}).empty());
  EXPECT_TRUE(v.cropped({40, 40, 0, 0}).empty());
}

TEST(LumaView, CropMeasuresOnlyTheRegion) {
  // Left half flat, right half a checkerboard: the ROI decides the result.
  const int w = 64, h = 32;
  std::vector<std::uint8_t> px(w * h, 100);
  for (int y = 0; y < h; ++y)
    for (int x = w / 2; x < w; ++x) px[y * w + x] = ((x / 2 + y / 2) % 2) ? 220 : 30;
  const fm::LumaView v(px.data(), w, h, w);
  const auto flat = fm::compute_features(v.cropped({0, 0, w / 2, h}));
  const auto busy = fm::compute_features(v.cropped({w / 2, 0, w / 2, h}));
  EXPECT_EQ(flat[fm::Feature::LaplacianVariance], 0.0);
  EXPECT_GT(busy[fm::Feature::LaplacianVariance], 0.1);
  EXPECT_NEAR(flat[fm::Feature::Brightness], 100.0 / 255.0, 1e-12);
}

TEST(FeatureNames, RoundTrip) {
  for (std::size_t i = 0; i < fm::kFeatureCount; ++i) {
    const auto f = static_cast<fm::Feature>(i);
    EXPECT_EQ(fm::feature_from_name(fm::feature_name(f)), f);
  }
  EXPECT_FALSE(fm::feature_from_name("sharpness"));
  EXPECT_EQ(fm::feature_name(fm::Feature::NoiseSigma), "noise_sigma");
}
