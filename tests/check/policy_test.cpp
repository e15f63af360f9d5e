// One decision policy (issue 12): the element's EOS summary, `check` on a
// clip (fold_timeline) and the stream path of `check rtsp://` and `scan`
// (stream::decide) turn the same frames into the same verdict, through the
// core's Aggregate. The frames are made to tell the policies apart: the old
// ones (mean score against the threshold for streams and the element, share
// of time for clips) disagreed on them.
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <vector>

#include "check/check.h"
#include "focusmeter_message.h"
#include "stream/stream_probe.h"
#include "test_media.h"

using namespace focusmeter;

namespace {

struct GstOnce : ::testing::Environment {
  void SetUp() override { gst_init(nullptr, nullptr); }
};
const auto* const kGst = ::testing::AddGlobalTestEnvironment(new GstOnce);

struct Picture {
  double time;  // seconds
  cv::Mat luma;
};

struct ElementRun {
  std::vector<FrameResult> frames;
  std::optional<StreamSummary> summary;
};

// Pushes the pictures through appsrc ! focusmeter interval=0 ! fakesink
// (the element's own default model: none named) and reads its messages.
ElementRun run_element(const std::vector<Picture>& pictures) {
  const cv::Mat& first = pictures.front().luma;
  const std::string launch =
      "appsrc name=src format=time caps=video/x-raw,format=GRAY8,width=" + std::to_string(first.cols) +
      ",height=" + std::to_string(first.rows) + ",framerate=0/1 ! focusmeter name=fm interval=0 ! fakesink sync=false";
  GError* err = nullptr;
  GstElement* pipe = gst_parse_launch(launch.c_str(), &err);
  EXPECT_EQ(err, nullptr);
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipe), "src");
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    const cv::Mat& m = pictures[i].luma;
    GstBuffer* buf = gst_buffer_new_allocate(nullptr, m.total(), nullptr);
    gst_buffer_fill(buf, 0, m.data, m.total());
    GST_BUFFER_PTS(buf) = static_cast<GstClockTime>(pictures[i].time * GST_SECOND);
    gst_app_src_push_buffer(GST_APP_SRC(src), buf);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  ElementRun run;
  g_autoptr(GstBus) bus = gst_element_get_bus(pipe);
  while (true) {
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(
        bus, 10 * GST_SECOND, GstMessageType(GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    if (!msg || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT) {
      EXPECT_TRUE(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) << "no EOS";
      break;
    }
    if (const GstStructure* s = focusmeter_structure(msg)) {
      if (auto f = FrameResult::from_structure(s)) run.frames.push_back(*f);
      if (auto sum = StreamSummary::from_structure(s)) run.summary = sum;
    }
  }
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  return run;
}

}  // namespace

TEST(OnePolicy, ElementSummaryClipAndStreamAgree) {
  cv::Mat grey, sharp;
  cv::cvtColor(check_test::sharp_picture(), grey, cv::COLOR_BGR2GRAY);
  cv::resize(grey, sharp, cv::Size(320, 240), 0, 0, cv::INTER_AREA);
  const cv::Mat soft = check_test::blurred(sharp, 4.0);
  const cv::Mat black(sharp.size(), CV_8U, cv::Scalar(0));
  // Irregular times: the black picture covers 2 s and does not vote.
  const std::vector<Picture> pictures = {{0.0, sharp}, {1.0, soft},  {1.5, soft},
                                         {2.0, black}, {4.0, sharp}, {4.5, soft}};
  const ElementRun run = run_element(pictures);
  ASSERT_EQ(run.frames.size(), pictures.size());
  ASSERT_TRUE(run.summary && run.summary->aggregate);
  const std::vector<std::optional<Verdict>> want = {Verdict::Clear, Verdict::Blurry, Verdict::Blurry,
                                                    std::nullopt,   Verdict::Clear,  Verdict::Blurry};
  double score_sum = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(run.frames[i].verdict, want[i]) << "picture " << i;
    score_sum += run.frames[i].score.value_or(0);
  }
  ASSERT_TRUE(run.frames[3].no_verdict);
  EXPECT_EQ(run.frames[3].no_verdict->kind, NoVerdictKind::TooDark);
  // What the old stream policy would have said: the mean score of the
  // judged pictures against the model's threshold (0.75) gives CLEAR here.
  EXPECT_LT(score_sum / 5, default_model()->threshold());

  // The element's EOS summary.
  const AggregateResult& element = *run.summary->aggregate;
  EXPECT_EQ(element.verdict, Verdict::Blurry);

  // check on a clip: the samples check_clip takes from the same messages.
  std::vector<check::Sample> samples;
  for (const FrameResult& f : run.frames)
    samples.push_back({static_cast<double>(f.stream_time) / GST_SECOND, f.judgement()});
  report::Result clip;
  clip.status = report::Status::Ok;
  check::fold_timeline(samples, 5.0, Aggregate::kDefaultBlurryShare, clip);

  // The stream path (check rtsp://, scan).
  stream::ProbeOutcome o;
  o.status = report::Status::Ok;
  o.frames = run.frames;
  report::Result cam;
  cam.status = report::Status::Ok;
  ASSERT_TRUE(stream::decide(o, default_model().get(), std::nullopt, cam));

  for (const report::Result* r : {&clip, &cam}) {
    EXPECT_EQ(r->verdict, element.verdict);
    ASSERT_TRUE(r->blurry_share && element.blurry_share);
    EXPECT_DOUBLE_EQ(*r->blurry_share, *element.blurry_share);
    EXPECT_DOUBLE_EQ(*r->unknown_share, element.unknown_share);
    EXPECT_DOUBLE_EQ(*r->score, *element.score);
  }
  // 1.9 s of 3.4 judged seconds BLURRY (the last picture stands for the
  // mean stretch, 0.9 s); the black 2 s are UNKNOWN.
  EXPECT_NEAR(*element.blurry_share, 1.9 / 3.4, 1e-9);
  EXPECT_NEAR(element.unknown_share, 2.0 / 5.4, 1e-9);
}

TEST(OnePolicy, AllBlackIsUnknownEverywhere) {
  const cv::Mat black(240, 320, CV_8U, cv::Scalar(2));
  const ElementRun run = run_element({{0, black}, {1, black}, {2, black}});
  ASSERT_EQ(run.frames.size(), 3u);
  ASSERT_TRUE(run.summary && run.summary->aggregate);
  EXPECT_FALSE(run.summary->aggregate->verdict);
  EXPECT_EQ(run.summary->aggregate->no_verdict->kind, NoVerdictKind::TooDark);
  stream::ProbeOutcome o;
  o.status = report::Status::Ok;
  o.frames = run.frames;
  report::Result cam;
  cam.status = report::Status::Ok;
  ASSERT_TRUE(stream::decide(o, default_model().get(), std::nullopt, cam));
  EXPECT_FALSE(cam.verdict);
  EXPECT_TRUE(report::is_unknown(cam));
  EXPECT_EQ(cam.reason, "covered or too dark (mean luma 2/255) (all 3 analysed frames)");
}
