// Interval, ROI, properties while playing, caps changes, the model, EOS.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "focusmeter/focus_map.h"
#include "focusmeter/judgement.h"
#include "focusmeter/model.h"
#include "harness_util.h"

using namespace fmtest;

namespace {

// What the element's "model-object" boxed value holds
// (gst-plugin/element/focusmeter_model_object.h).
using FocusmeterModelPtr = std::shared_ptr<const focusmeter::Model>;

constexpr GstClockTime kFrame = 10 * GST_MSECOND;

void push_frames(Meter& m, const GstVideoInfo& info, const cv::Mat& luma, int count, GstClockTime start = 0,
                 bool timestamps = true) {
  for (int i = 0; i < count; ++i) {
    GstBuffer* b = make_frame(info, luma, timestamps ? start + i * kFrame : GST_CLOCK_TIME_NONE, kFrame);
    ASSERT_EQ(gst_harness_push(m.h.get(), b), GST_FLOW_OK);
    gst_buffer_unref(gst_harness_pull(m.h.get()));
  }
}

GstVideoInfo gray_info(int w, int h) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_GRAY8, w, h);
  return info;
}

guint64 uint64_field(const GstStructure* s, const char* name) {
  guint64 v = 0;
  EXPECT_TRUE(gst_structure_get_uint64(s, name, &v)) << name;
  return v;
}

// A logistic model on log(laplacian_variance): sharp camera -> CLEAR,
// Gaussian-blurred camera -> BLURRY.
std::string write_test_model() {
  const std::string path = ::testing::TempDir() + "/focusmeter_element_model.json";
  std::ofstream(path) << R"({"format": "focusmeter-model", "version": 2, "feature_version": 3,
    "name": "element-test",
    "features": [{"name": "laplacian_variance", "transform": "log", "offset": 1e-6, "mean": -6.9, "std": 1.0}],
    "classifier": {"type": "logistic_regression", "coefficients": [-3.0], "intercept": 0.0},
    "threshold": 0.5, "low_texture": {"contrast": 0.015, "texture": 0.003}})";
  return path;
}

cv::Mat blurred(const cv::Mat& luma) {
  cv::Mat out;
  cv::GaussianBlur(luma, out, cv::Size(0, 0), 4.0);
  return out;
}

TEST(Interval, ZeroAnalysesEveryFrame) {
  Meter m("interval=0 model=\"\"");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 64, 48);
  push_frames(m, gray_info(64, 48), test_luma(64, 48), 12);
  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 12u);
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    EXPECT_EQ(uint64_field(msgs[i].get(), "frames"), i + 1);
    EXPECT_EQ(uint64_field(msgs[i].get(), "timestamp"), i * kFrame);
    EXPECT_EQ(uint64_field(msgs[i].get(), "running-time"), i * kFrame);
    EXPECT_EQ(uint64_field(msgs[i].get(), "stream-time"), i * kFrame);
    EXPECT_EQ(uint64_field(msgs[i].get(), "duration"), kFrame);
  }
}

TEST(Interval, OneFramePerIntervalOnAGrid) {
  // 10 ms frames, 35 ms interval: analyse at 0, then the first frame at or
  // after 35, 70, 105 ... -> 0, 40, 70, 110, 140, 180 within 0..190.
  Meter m("interval=35000000 model=\"\"");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 32, 32);
  push_frames(m, gray_info(32, 32), test_luma(32, 32), 20);
  const auto msgs = m.messages();
  std::vector<guint64> got;
  for (const auto& s : msgs) got.push_back(uint64_field(s.get(), "timestamp") / GST_MSECOND);
  EXPECT_EQ(got, (std::vector<guint64>{0, 40, 70, 110, 140, 180}));
}

TEST(Interval, FramesWithoutTimestampsAreAllAnalysed) {
  Meter m("interval=1000000000 model=\"\"");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 32, 32);
  push_frames(m, gray_info(32, 32), test_luma(32, 32), 5, 0, false);
  EXPECT_EQ(m.messages().size(), 5u);
}

TEST(Interval, ChangeWhilePlayingTakesEffect) {
  Meter m("interval=0 model=\"\"");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 32, 32);
  const GstVideoInfo info = gray_info(32, 32);
  push_frames(m, info, test_luma(32, 32), 10, 0);
  EXPECT_EQ(m.messages().size(), 10u);
  g_object_set(m.element(), "interval", G_GUINT64_CONSTANT(50000000), nullptr);
  push_frames(m, info, test_luma(32, 32), 10, 100 * GST_MSECOND);
  EXPECT_EQ(m.messages().size(), 2u);  // 100 and 150 ms
}

// Extreme intervals neither overflow nor spin: the largest analyses the
// first frame only, the smallest every frame; both run in frame time.
TEST(Interval, ExtremeValuesNeitherOverflowNorSpin) {
  const GstVideoInfo info = gray_info(32, 32);
  {
    Meter m("interval=18446744073709551615 model=\"\"");
    m.set_caps(GST_VIDEO_FORMAT_GRAY8, 32, 32);
    push_frames(m, info, test_luma(32, 32), 5, 3600 * GST_SECOND);
    push_frames(m, info, test_luma(32, 32), 5, 7200 * GST_SECOND);
    EXPECT_EQ(m.messages().size(), 1u);
  }
  {
    Meter m("interval=1 model=\"\"");
    m.set_caps(GST_VIDEO_FORMAT_GRAY8, 32, 32);
    // 10 ms apart at 10 h of running time: a stepping loop would take
    // 10^7 iterations per frame here.
    push_frames(m, info, test_luma(32, 32), 20, 36000 * GST_SECOND);
    EXPECT_EQ(m.messages().size(), 20u);
  }
}

TEST(Roi, AnalysesOnlyTheRegion) {
  // Left half flat grey, right half the camera photo.
  const int w = 200, h = 120;
  cv::Mat luma(h, w, CV_8UC1, cv::Scalar(90));
  test_luma(w / 2, h).copyTo(luma(cv::Rect(w / 2, 0, w / 2, h)));
  Meter m("interval=0 model=\"\" roi-left=0 roi-top=10 roi-width=100 roi-height=100");
  m.set_caps(GST_VIDEO_FORMAT_I420, w, h);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, w, h);
  gst_buffer_unref(gst_harness_push_and_pull(m.h.get(), make_frame(info, luma, 0, kFrame)));
  g_object_set(m.element(), "roi-left", 100, "roi-top", 0, "roi-width", 0, "roi-height", 0, nullptr);
  gst_buffer_unref(gst_harness_push_and_pull(m.h.get(), make_frame(info, luma, kFrame, kFrame)));
  // An ROI outside the frame falls back to the whole frame.
  g_object_set(m.element(), "roi-left", 5000, nullptr);
  gst_buffer_unref(gst_harness_push_and_pull(m.h.get(), make_frame(info, luma, 2 * kFrame, kFrame)));

  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(field(msgs[0].get(), "laplacian-variance"), 0.0);
  EXPECT_DOUBLE_EQ(field(msgs[0].get(), "brightness"), 90.0 / 255.0);
  int v = 0;
  gst_structure_get_int(msgs[0].get(), "roi-top", &v);
  EXPECT_EQ(v, 10);
  const auto right = core_features(luma(cv::Rect(100, 0, 100, h)));
  EXPECT_DOUBLE_EQ(field(msgs[1].get(), "laplacian-variance"), right[focusmeter::Feature::LaplacianVariance]);
  gst_structure_get_int(msgs[1].get(), "roi-width", &v);
  EXPECT_EQ(v, 100);
  EXPECT_DOUBLE_EQ(field(msgs[2].get(), "laplacian-variance"),
                   core_features(luma)[focusmeter::Feature::LaplacianVariance]);
}

TEST(Properties, PostMessagesOffStillAnalyses) {
  const std::string model = write_test_model();
  Meter m("interval=0 post-messages=false model=\"" + model + "\"");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 256, 192);
  push_frames(m, gray_info(256, 192), test_luma(256, 192), 3);
  EXPECT_TRUE(m.messages().empty());
  double score = -1;
  gchar* verdict = nullptr;
  g_object_get(m.element(), "last-score", &score, "last-verdict", &verdict, nullptr);
  EXPECT_GE(score, 0.0);
  EXPECT_STREQ(verdict, "CLEAR");
  g_free(verdict);
}

TEST(Properties, LastResultStartsAfreshOnRestart) {
  const std::string model = write_test_model();
  Meter m("interval=0 model=\"" + model + "\"");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 256, 192);
  push_frames(m, gray_info(256, 192), test_luma(256, 192), 1);
  double score = -1;
  g_object_get(m.element(), "last-score", &score, nullptr);
  EXPECT_GE(score, 0.0);
  ASSERT_EQ(gst_element_set_state(m.element(), GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  ASSERT_EQ(gst_element_set_state(m.element(), GST_STATE_PAUSED), GST_STATE_CHANGE_SUCCESS);
  gchar* verdict = nullptr;
  g_object_get(m.element(), "last-score", &score, "last-verdict", &verdict, nullptr);
  EXPECT_EQ(score, -1.0);
  EXPECT_EQ(verdict, nullptr);
  g_free(verdict);
}

TEST(Properties, DefaultsAndRanges) {
  GstElement* e = gst_element_factory_make("focusmeter", nullptr);
  ASSERT_NE(e, nullptr);
  guint64 interval = 0;
  gboolean post = FALSE;
  double threshold = 0, last = 0;
  gchar *model = nullptr, *verdict = nullptr;
  g_object_get(e, "interval", &interval, "post-messages", &post, "threshold", &threshold, "last-score", &last, "model",
               &model, "last-verdict", &verdict, nullptr);
  EXPECT_EQ(interval, GST_SECOND);
  EXPECT_TRUE(post);
  EXPECT_EQ(threshold, -1.0);
  EXPECT_EQ(last, -1.0);
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(verdict, nullptr);
  GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(e), "threshold");
  EXPECT_TRUE(spec->flags & GST_PARAM_MUTABLE_PLAYING);
  EXPECT_FALSE(g_object_class_find_property(G_OBJECT_GET_CLASS(e), "last-score")->flags & G_PARAM_WRITABLE);
  gst_object_unref(e);
}

TEST(Model, ScoreVerdictAndThresholdOverride) {
  const std::string model = write_test_model();
  Meter m("interval=0 model=\"" + model + "\"");
  m.set_caps(GST_VIDEO_FORMAT_NV12, 256, 192);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_NV12, 256, 192);
  const cv::Mat sharp = test_luma(256, 192);
  push_frames(m, info, sharp, 1, 0);
  push_frames(m, info, blurred(sharp), 1, kFrame);
  g_object_set(m.element(), "threshold", 0.0, nullptr);  // everything is BLURRY now
  // A flush forgets the stream overlay rule's history: defocus moves the
  // 8 x 8 block means of smooth tiles little, so after sharp, blurred,
  // sharp such a tile is "unchanged while the rest changes" and leaves the
  // vote (focusmeter/static_tiles.h); this test is about the threshold.
  ASSERT_TRUE(gst_harness_push_event(m.h.get(), gst_event_new_flush_start()));
  ASSERT_TRUE(gst_harness_push_event(m.h.get(), gst_event_new_flush_stop(TRUE)));
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  ASSERT_TRUE(gst_harness_push_event(m.h.get(), gst_event_new_segment(&seg)));
  push_frames(m, info, sharp, 1, 2 * kFrame);

  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_STREQ(gst_structure_get_string(msgs[0].get(), "verdict"), "CLEAR");
  EXPECT_STREQ(gst_structure_get_string(msgs[1].get(), "verdict"), "BLURRY");
  EXPECT_STREQ(gst_structure_get_string(msgs[2].get(), "verdict"), "BLURRY");
  EXPECT_LT(field(msgs[0].get(), "score"), 0.5);
  EXPECT_GT(field(msgs[1].get(), "score"), 0.5);
  EXPECT_DOUBLE_EQ(field(msgs[2].get(), "score"), field(msgs[0].get(), "score"));
}

// Three sharp frames then one blurred, then EOS: the messages EOS brings
// (the element's final summary), those of the frames read and dropped.
std::vector<StructurePtr> quarter_blurry_stream_summary(Meter& m) {
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 256, 192);
  const GstVideoInfo info = gray_info(256, 192);
  const cv::Mat sharp = test_luma(256, 192);
  push_frames(m, info, sharp, 3, 0);
  push_frames(m, info, blurred(sharp), 1, 3 * kFrame);
  m.messages();
  if (!gst_harness_push_event(m.h.get(), gst_event_new_eos())) return {};
  return m.messages();
}

TEST(Model, EosPostsAFinalSummary) {
  const std::string model = write_test_model();
  Meter m("interval=0 model=\"" + model + "\"");
  const auto msgs = quarter_blurry_stream_summary(m);
  ASSERT_EQ(msgs.size(), 1u);
  gboolean final_ = FALSE;
  EXPECT_TRUE(gst_structure_get_boolean(msgs[0].get(), "final", &final_));
  EXPECT_TRUE(final_);
  EXPECT_EQ(uint64_field(msgs[0].get(), "frames"), 4u);
  EXPECT_EQ(uint64_field(msgs[0].get(), "blurry-frames"), 1u);
  EXPECT_EQ(uint64_field(msgs[0].get(), "judged-frames"), 4u);
  // The one temporal rule (focusmeter/aggregate.h): 1 of 4 equal stretches BLURRY.
  EXPECT_DOUBLE_EQ(field(msgs[0].get(), "blurry-share"), 0.25);
  EXPECT_DOUBLE_EQ(field(msgs[0].get(), "unknown-share"), 0.0);
  EXPECT_STREQ(gst_structure_get_string(msgs[0].get(), "verdict"), "CLEAR");
  EXPECT_GT(field(msgs[0].get(), "mean-score"), 0.2);
}

// The cut of the one temporal rule is the element's `blurry-share` (the
// CLI's --blurry-share, focusmeter/parameters.h): the stream above, a
// quarter BLURRY, is BLURRY with a cut of 0.25.
TEST(Model, EosSummaryUsesBlurryShare) {
  const std::string model = write_test_model();
  Meter m("interval=0 blurry-share=0.25 model=\"" + model + "\"");
  const auto msgs = quarter_blurry_stream_summary(m);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_DOUBLE_EQ(field(msgs[0].get(), "blurry-share"), 0.25);
  EXPECT_STREQ(gst_structure_get_string(msgs[0].get(), "verdict"), "BLURRY");
  gdouble share = -1;
  g_object_get(m.element(), "blurry-share", &share, nullptr);
  EXPECT_DOUBLE_EQ(share, 0.25);
}

TEST(Model, BadModelFailsStartNamingTheFile) {
  const std::string path = ::testing::TempDir() + "/focusmeter_bad_model.json";
  std::ofstream(path) << R"({"format": "focusmeter-model", "version": 2, "feature_version": 3, "features": []})";
  for (const std::string& model : {path, std::string("/nonexistent/focus-model.json")}) {
    GError* err = nullptr;
    GstElement* pipe =
        gst_parse_launch(("videotestsrc num-buffers=2 ! focusmeter model=\"" + model + "\" ! fakesink").c_str(), &err);
    ASSERT_NE(pipe, nullptr);
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    GstBus* bus = gst_element_get_bus(pipe);
    GstMessage* msg =
        gst_bus_timed_pop_filtered(bus, 5 * GST_SECOND, GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    ASSERT_NE(msg, nullptr);
    ASSERT_EQ(GST_MESSAGE_TYPE(msg), GST_MESSAGE_ERROR);
    GError* gerr = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(msg, &gerr, &debug);
    EXPECT_NE(std::string(gerr->message).find(model), std::string::npos) << gerr->message;
    EXPECT_NE(debug, nullptr);
    g_clear_error(&gerr);
    g_free(debug);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(pipe);
  }
}

TEST(Caps, ResolutionChangeMidStream) {
  Meter m("interval=0 model=\"\"");
  m.set_caps(GST_VIDEO_FORMAT_I420, 320, 240);
  GstVideoInfo a, b;
  gst_video_info_set_format(&a, GST_VIDEO_FORMAT_I420, 320, 240);
  gst_video_info_set_format(&b, GST_VIDEO_FORMAT_BGRx, 161, 97);
  push_frames(m, a, test_luma(320, 240), 1, 0);
  m.set_caps(GST_VIDEO_FORMAT_BGRx, 161, 97);
  push_frames(m, b, test_luma(161, 97), 1, kFrame);
  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 2u);
  int w = 0, h = 0;
  gst_structure_get_int(msgs[1].get(), "width", &w);
  gst_structure_get_int(msgs[1].get(), "height", &h);
  EXPECT_EQ(w, 161);
  EXPECT_EQ(h, 97);
  EXPECT_DOUBLE_EQ(field(msgs[1].get(), "laplacian-variance"),
                   core_features(expected_luma(b, test_luma(161, 97)))[focusmeter::Feature::LaplacianVariance]);
}

// Properties set from another thread while frames stream (run under
// valgrind/helgrind or TSan to see races; here it must stay consistent).
TEST(Properties, ConcurrentChangesWhileStreaming) {
  const std::string model = write_test_model();
  Meter m("interval=0 model=\"" + model + "\"");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 96, 64);
  std::atomic<bool> stop{false};
  std::thread setter([&] {
    for (int i = 0; !stop; ++i)
      g_object_set(m.element(), "roi-left", i % 50, "threshold", (i % 10) / 10.0, "interval",
                   static_cast<guint64>(i % 3) * kFrame, "post-messages", i % 4 != 0, nullptr);
  });
  push_frames(m, gray_info(96, 64), test_luma(96, 64), 200);
  stop = true;
  setter.join();
  for (const auto& s : m.messages()) {
    // A corner of sky can be UNKNOWN (nothing to judge): then no score, a reason.
    const char* verdict = gst_structure_get_string(s.get(), "verdict");
    ASSERT_NE(verdict, nullptr);
    if (std::string(verdict) == "UNKNOWN") {
      EXPECT_FALSE(gst_structure_has_field(s.get(), "score"));
      EXPECT_NE(gst_structure_get_string(s.get(), "no-verdict"), nullptr);
      continue;
    }
    const double score = field(s.get(), "score");
    EXPECT_GE(score, 0.0);
    EXPECT_LE(score, 1.0);
  }
}

}  // namespace

// An application holding a loaded model hands it over as an object: the
// element scores with it (even with a `model` file that does not exist) and
// keeps its own reference while it lives.
TEST(Model, ModelObjectIsUsedInsteadOfAFile) {
  auto model = std::make_shared<const focusmeter::Model>(focusmeter::Model::load(write_test_model()));
  GstElement* e = gst_element_factory_make("focusmeter", nullptr);
  ASSERT_NE(e, nullptr);
  g_object_set(e, "interval", G_GUINT64_CONSTANT(0), "model", "/nonexistent/model.json", "model-object", &model,
               nullptr);
  EXPECT_EQ(model.use_count(), 2);
  {
    FocusmeterModelPtr* got = nullptr;
    g_object_get(e, "model-object", &got, nullptr);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->get(), model.get());
    g_boxed_free(g_type_from_name("FocusmeterModel"), got);
  }
  {
    Meter m(e);
    m.set_caps(GST_VIDEO_FORMAT_GRAY8, 256, 192);
    const cv::Mat sharp = test_luma(256, 192);
    push_frames(m, gray_info(256, 192), sharp, 1, 0);
    push_frames(m, gray_info(256, 192), blurred(sharp), 1, kFrame);
    const auto msgs = m.messages();
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_STREQ(gst_structure_get_string(msgs[0].get(), "verdict"), "CLEAR");
    EXPECT_STREQ(gst_structure_get_string(msgs[1].get(), "verdict"), "BLURRY");
    gst_object_unref(e);
  }
  EXPECT_EQ(model.use_count(), 1);  // the element's reference went with it
}

// The threshold property keeps its range [-1, 1]; -1 is the model's own,
// and values in (-1, 0) are ignored (focusmeter/parameters.h).
TEST(Properties, ThresholdRule) {
  GstElement* e = gst_element_factory_make("focusmeter", nullptr);
  gdouble t = 0;
  g_object_get(e, "threshold", &t, nullptr);
  EXPECT_EQ(t, -1.0);
  g_object_set(e, "threshold", 0.3, nullptr);
  g_object_set(e, "threshold", -0.5, nullptr);
  g_object_get(e, "threshold", &t, nullptr);
  EXPECT_EQ(t, 0.3);
  g_object_set(e, "threshold", -1.0, nullptr);
  g_object_get(e, "threshold", &t, nullptr);
  EXPECT_EQ(t, -1.0);
  GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(e), "threshold");
  EXPECT_EQ(G_PARAM_SPEC_DOUBLE(spec)->minimum, -1.0);
  EXPECT_EQ(G_PARAM_SPEC_DOUBLE(spec)->maximum, 1.0);
  gst_object_unref(e);
}

// A C++ exception thrown by the core while scoring must not unwind through
// GStreamer's C frames (that would abort the host): the element posts an
// error naming the cause and the push fails cleanly. The fault is injected
// through the element's testing aid.
TEST(Exceptions, ScoringFailureBecomesAnElementError) {
  g_setenv("FOCUSMETER_ELEMENT_TEST_FAULT", "score", TRUE);
  const std::string model = write_test_model();
  {
    Meter m("interval=0 model=\"" + model + "\"");
    m.set_caps(GST_VIDEO_FORMAT_GRAY8, 64, 48);
    GstBuffer* b = make_frame(gray_info(64, 48), test_luma(64, 48), 0, kFrame);
    EXPECT_EQ(gst_harness_push(m.h.get(), b), GST_FLOW_ERROR);
    GstMessage* msg = gst_bus_pop_filtered(m.bus.get(), GST_MESSAGE_ERROR);
    ASSERT_NE(msg, nullptr);
    GError* err = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(msg, &err, &debug);
    EXPECT_NE(std::string(err->message).find("focus model failed"), std::string::npos) << err->message;
    EXPECT_NE(std::string(debug).find("injected scoring fault"), std::string::npos) << debug;
    g_clear_error(&err);
    g_free(debug);
    gst_message_unref(msg);
  }
  g_unsetenv("FOCUSMETER_ELEMENT_TEST_FAULT");
  // Without a model nothing is scored: the aid changes nothing.
  g_setenv("FOCUSMETER_ELEMENT_TEST_FAULT", "score", TRUE);
  {
    Meter m("interval=0 model=\"\"");
    m.set_caps(GST_VIDEO_FORMAT_GRAY8, 64, 48);
    push_frames(m, gray_info(64, 48), test_luma(64, 48), 2);
    EXPECT_EQ(m.messages().size(), 2u);
  }
  g_unsetenv("FOCUSMETER_ELEMENT_TEST_FAULT");
}

// A score that is not finite is no verdict: the message says why instead of
// carrying score/verdict, one warning is posted, last-verdict stays NULL and
// the EOS summary does not count the frame (testing aid: NaN features).
TEST(Exceptions, NonFiniteScoreIsNoVerdict) {
  g_setenv("FOCUSMETER_ELEMENT_TEST_FAULT", "nan", TRUE);
  const std::string model = write_test_model();
  {
    Meter m("interval=0 model=\"" + model + "\"");
    m.set_caps(GST_VIDEO_FORMAT_GRAY8, 256, 192);
    push_frames(m, gray_info(256, 192), test_luma(256, 192), 2);
    // One pass over the bus (pop_filtered drops what it does not match).
    std::vector<StructurePtr> msgs;
    int warnings = 0;
    while (GstMessage* msg =
               gst_bus_pop_filtered(m.bus.get(), GstMessageType(GST_MESSAGE_ELEMENT | GST_MESSAGE_WARNING))) {
      if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING)
        ++warnings;
      else if (gst_structure_has_name(gst_message_get_structure(msg), "focusmeter"))
        msgs.emplace_back(gst_structure_copy(gst_message_get_structure(msg)));
      gst_message_unref(msg);
    }
    EXPECT_EQ(warnings, 1);
    ASSERT_EQ(msgs.size(), 2u);
    for (const auto& s : msgs) {
      gboolean low = TRUE;
      EXPECT_TRUE(gst_structure_get_boolean(s.get(), "low-texture", &low) && !low);  // the model was asked
      EXPECT_FALSE(gst_structure_has_field(s.get(), "score"));
      EXPECT_STREQ(gst_structure_get_string(s.get(), "verdict"), "UNKNOWN");
      EXPECT_STREQ(gst_structure_get_string(s.get(), "no-verdict-kind"), "no_score");
      const char* why = gst_structure_get_string(s.get(), "no-verdict");
      ASSERT_NE(why, nullptr);
      EXPECT_NE(std::string(why).find("not finite"), std::string::npos) << why;
    }
    gchar* verdict = nullptr;
    gdouble score = 0;
    g_object_get(m.element(), "last-verdict", &verdict, "last-score", &score, nullptr);
    EXPECT_STREQ(verdict, "UNKNOWN");
    EXPECT_EQ(score, -1.0);
    g_free(verdict);
    ASSERT_TRUE(gst_harness_push_event(m.h.get(), gst_event_new_eos()));
    const auto last = m.messages();
    ASSERT_EQ(last.size(), 1u);
    EXPECT_STREQ(gst_structure_get_string(last[0].get(), "verdict"), "UNKNOWN");
    EXPECT_FALSE(gst_structure_has_field(last[0].get(), "mean-score"));
  }
  g_unsetenv("FOCUSMETER_ELEMENT_TEST_FAULT");
}

// "A model is always there" (issue 12): with no `model` property and no
// $FOCUSMETER_MODEL, the element judges with the model compiled into the
// plugin — the very verdicts and scores the core gives with default_model().
TEST(Model, CompiledInModelWithoutPropertyOrEnvironment) {
  const gchar* old = g_getenv("FOCUSMETER_MODEL");
  const std::string saved = old ? old : "";
  g_unsetenv("FOCUSMETER_MODEL");
  {
    Meter m("interval=0");
    m.set_caps(GST_VIDEO_FORMAT_GRAY8, 256, 192);
    const cv::Mat sharp = test_luma(256, 192);
    push_frames(m, gray_info(256, 192), sharp, 1, 0);
    push_frames(m, gray_info(256, 192), blurred(sharp), 1, kFrame);
    const auto msgs = m.messages();
    ASSERT_EQ(msgs.size(), 2u);
    const auto model = focusmeter::default_model();
    const cv::Mat pictures[] = {sharp, blurred(sharp)};
    for (int i = 0; i < 2; ++i) {
      // The element judges through the focus map (focusmeter/focus_map.h).
      const focusmeter::Judgement j =
          focusmeter::judge_frame(
              *model, focusmeter::LumaView(pictures[i].data, pictures[i].cols, pictures[i].rows, pictures[i].step[0]))
              .judgement;
      ASSERT_TRUE(j.verdict) << i;
      EXPECT_STREQ(gst_structure_get_string(msgs[i].get(), "verdict"), focusmeter::verdict_name(*j.verdict)) << i;
      EXPECT_DOUBLE_EQ(field(msgs[i].get(), "score"), *j.score) << i;
    }
    EXPECT_STREQ(gst_structure_get_string(msgs[1].get(), "verdict"), "BLURRY");
  }
  // A named model that is missing is an error at start, never features only.
  g_setenv("FOCUSMETER_MODEL", "/nonexistent/focusmeter-model.json", TRUE);
  {
    GstElement* pipe = gst_parse_launch("videotestsrc num-buffers=2 ! focusmeter ! fakesink", nullptr);
    ASSERT_NE(pipe, nullptr);
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    GstBus* bus = gst_element_get_bus(pipe);
    GstMessage* msg = gst_bus_timed_pop_filtered(
        bus, 5 * GST_SECOND, GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT));
    ASSERT_NE(msg, nullptr);
    EXPECT_EQ(GST_MESSAGE_TYPE(msg), GST_MESSAGE_ERROR) << "no frame may be analysed";
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError* err = nullptr;
      gst_message_parse_error(msg, &err, nullptr);
      EXPECT_NE(std::string(err->message).find("/nonexistent/focusmeter-model.json"), std::string::npos)
          << err->message;
      g_clear_error(&err);
    }
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(pipe);
  }
  if (old)
    g_setenv("FOCUSMETER_MODEL", saved.c_str(), TRUE);
  else
    g_unsetenv("FOCUSMETER_MODEL");
}

// A black clip (a lens cap, a dark night) is UNKNOWN with its cause, frame
// by frame and in the EOS summary; never CLEAR. A private pipeline with the
// element's own default model.
TEST(Model, BlackClipIsUnknown) {
  GstElement* pipe = gst_parse_launch(
      "videotestsrc pattern=black num-buffers=5 ! video/x-raw,width=320,height=240,framerate=10/1 ! "
      "focusmeter interval=0 ! fakesink",
      nullptr);
  ASSERT_NE(pipe, nullptr);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipe);
  std::vector<StructurePtr> frames, summaries;
  while (GstMessage* msg = gst_bus_timed_pop_filtered(
             bus, 5 * GST_SECOND, GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_ELEMENT))) {
    const GstMessageType type = GST_MESSAGE_TYPE(msg);
    if (type == GST_MESSAGE_ELEMENT) {
      const GstStructure* s = gst_message_get_structure(msg);
      gboolean final_ = FALSE;
      if (gst_structure_has_name(s, "focusmeter") && gst_structure_get_boolean(s, "final", &final_))
        (final_ ? summaries : frames).emplace_back(gst_structure_copy(s));
    }
    gst_message_unref(msg);
    if (type != GST_MESSAGE_ELEMENT) {
      EXPECT_EQ(type, GST_MESSAGE_EOS);
      break;
    }
  }
  gst_object_unref(bus);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  ASSERT_EQ(frames.size(), 5u);
  for (const auto& s : frames) {
    EXPECT_STREQ(gst_structure_get_string(s.get(), "verdict"), "UNKNOWN");
    EXPECT_STREQ(gst_structure_get_string(s.get(), "no-verdict-kind"), "too_dark");
    EXPECT_STREQ(gst_structure_get_string(s.get(), "no-verdict"), "covered or too dark (mean luma 0/255)");
    EXPECT_FALSE(gst_structure_has_field(s.get(), "score"));
  }
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_STREQ(gst_structure_get_string(summaries[0].get(), "verdict"), "UNKNOWN");
  EXPECT_STREQ(gst_structure_get_string(summaries[0].get(), "no-verdict-kind"), "too_dark");
  EXPECT_EQ(uint64_field(summaries[0].get(), "unknown-frames"), 5u);
  EXPECT_EQ(uint64_field(summaries[0].get(), "judged-frames"), 0u);
  EXPECT_FALSE(gst_structure_has_field(summaries[0].get(), "blurry-share"));
}
