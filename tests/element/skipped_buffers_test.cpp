// Only real pictures are judged: buffers flagged CORRUPTED (a decoder
// concealing missing references), GAP (no picture, possibly no data at all)
// or DECODE_ONLY pass through untouched, get no message, and are counted in
// the messages that follow and in the EOS summary.
#include <gtest/gtest.h>

#include "focusmeter_message.h"
#include "harness_util.h"

using namespace fmtest;

namespace {

constexpr GstClockTime kFrame = 10 * GST_MSECOND;

TEST(SkippedBuffers, FlaggedBuffersPassUnjudgedAndAreCounted) {
  Meter m("interval=0 model=\"\"");
  m.set_caps(GST_VIDEO_FORMAT_GRAY8, 64, 48);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_GRAY8, 64, 48);
  const cv::Mat luma = test_luma(64, 48);
  const GstBufferFlags flags[] = {GstBufferFlags(0),           GST_BUFFER_FLAG_CORRUPTED, GST_BUFFER_FLAG_GAP,
                                  GST_BUFFER_FLAG_DECODE_ONLY, GST_BUFFER_FLAG_CORRUPTED, GstBufferFlags(0)};
  int i = 0;
  for (GstBufferFlags f : flags) {
    GstBuffer* b = make_frame(info, luma, i * kFrame, kFrame);
    GST_BUFFER_FLAG_SET(b, f);
    ASSERT_EQ(gst_harness_push(m.h.get(), b), GST_FLOW_OK);
    GstBuffer* out = gst_harness_pull(m.h.get());
    ASSERT_TRUE(out) << "buffer " << i << " was not passed on";
    EXPECT_EQ(GST_BUFFER_FLAGS(out) & f, guint(f));
    gst_buffer_unref(out);
    ++i;
  }
  // A gap with no picture at all must not be mapped.
  GstBuffer* empty_gap = gst_buffer_new();
  GST_BUFFER_PTS(empty_gap) = i * kFrame;
  GST_BUFFER_FLAG_SET(empty_gap, GST_BUFFER_FLAG_GAP);
  ASSERT_EQ(gst_harness_push(m.h.get(), empty_gap), GST_FLOW_OK);
  gst_buffer_unref(gst_harness_pull(m.h.get()));

  const auto msgs = m.messages();
  ASSERT_EQ(msgs.size(), 2u) << "only the two real pictures are judged";
  const auto first = focusmeter::FrameResult::from_structure(msgs[0].get());
  const auto last = focusmeter::FrameResult::from_structure(msgs[1].get());
  ASSERT_TRUE(first && last);
  EXPECT_EQ(first->skipped.total(), 0u);
  EXPECT_EQ(last->frames, 2u);
  EXPECT_EQ(last->timestamp, 5 * kFrame);
  EXPECT_EQ(last->skipped, (focusmeter::SkippedBuffers{2, 1, 1}));

  ASSERT_TRUE(gst_harness_push_event(m.h.get(), gst_event_new_eos()));
  const auto end = m.messages();
  ASSERT_EQ(end.size(), 1u);
  const auto summary = focusmeter::StreamSummary::from_structure(end[0].get());
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->frames, 2u);
  EXPECT_EQ(summary->skipped, (focusmeter::SkippedBuffers{2, 2, 1}));
}

}  // namespace
