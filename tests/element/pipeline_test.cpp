// A real pipeline over the committed clip (tests/data/focus-drift.mp4:
// 2 s sharp, then 2 s out of focus).
#include <gtest/gtest.h>

#include "harness_util.h"

using namespace fmtest;

TEST(Pipeline, FilesrcDecodebinVideoconvert) {
  const std::string clip = std::string(FOCUSMETER_TEST_DATA) + "/data/focus-drift.mp4";
  GError* err = nullptr;
  GstElement* pipe = gst_parse_launch(("filesrc location=\"" + clip +
                                       "\" ! decodebin ! videoconvert ! focusmeter interval=500000000 "
                                       "model=\"\" ! fakesink")
                                          .c_str(),
                                      &err);
  ASSERT_NE(pipe, nullptr) << (err ? err->message : "");
  GstBus* bus = gst_element_get_bus(pipe);
  ASSERT_NE(gst_element_set_state(pipe, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  std::vector<std::pair<guint64, double>> lapvar;  // stream time, laplacian variance
  bool final_seen = false, eos = false;
  while (!eos) {
    GstMessage* msg = gst_bus_timed_pop_filtered(
        bus, 20 * GST_SECOND, GstMessageType(GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    ASSERT_NE(msg, nullptr) << "timeout";
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError* e = nullptr;
      gst_message_parse_error(msg, &e, nullptr);
      ADD_FAILURE() << e->message;
      g_error_free(e);
      eos = true;
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
      eos = true;
    } else if (const GstStructure* s = gst_message_get_structure(msg); gst_structure_has_name(s, "focusmeter")) {
      gboolean final_ = FALSE;
      gst_structure_get_boolean(s, "final", &final_);
      if (final_) {
        final_seen = true;
      } else {
        guint64 t = 0;
        gst_structure_get_uint64(s, "stream-time", &t);
        lapvar.emplace_back(t, field(s, "laplacian-variance"));
      }
    }
    gst_message_unref(msg);
  }
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(pipe);

  EXPECT_TRUE(final_seen);
  ASSERT_EQ(lapvar.size(), 8u);  // 4 s at one analysis per 0.5 s
  for (const auto& [t, v] : lapvar) {
    if (t < 2 * GST_SECOND)
      EXPECT_GT(v, 0.005) << "sharp half at " << t;
    else
      EXPECT_LT(v, 0.001) << "blurred half at " << t;
  }
}
