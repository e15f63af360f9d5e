// The pipeline helpers scan and check share (tools/gstreamer/gst_pipeline.h),
// the core's bus field names, and the scan report's frame keeping.
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "cli/report_options.h"
#include "focusmeter_message.h"
#include "gstreamer/gst_pipeline.h"
#include "scan/scan_report.h"

namespace fm = focusmeter;
namespace cli = focusmeter::cli;
namespace report = focusmeter::report;
namespace media = focusmeter::media;
namespace gst = focusmeter::gst;

namespace {

TEST(FeatureFieldName, IsTheFeatureNameWithDashes) {
  for (std::size_t i = 0; i < fm::kFeatureCount; ++i) {
    const auto f = static_cast<fm::Feature>(i);
    std::string expected(fm::feature_name(f));
    for (char& c : expected)
      if (c == '_') c = '-';
    EXPECT_EQ(fm::feature_field_name(f), expected);
    // Handed to GStreamer as a C string.
    EXPECT_EQ(fm::feature_field_name(f).data()[fm::feature_field_name(f).size()], '\0');
  }
}

TEST(FeaturesFromStructure, ReadsExactlyTheFieldsPresent) {
  g_autoptr(GstStructure) s = gst_structure_new(
      "focusmeter", "final", G_TYPE_BOOLEAN, FALSE, "laplacian-variance", G_TYPE_DOUBLE, 0.25, "blur-effect",
      G_TYPE_DOUBLE, 0.75, "texture", G_TYPE_DOUBLE, 0.5, "frames", G_TYPE_UINT64, G_GUINT64_CONSTANT(3), nullptr);
  const auto result = fm::FrameResult::from_structure(s);
  ASSERT_TRUE(result);
  const fm::FeatureVector& fv = result->features;
  EXPECT_EQ(fv.present.count(), 3u);
  EXPECT_DOUBLE_EQ(fv[fm::Feature::LaplacianVariance], 0.25);
  EXPECT_DOUBLE_EQ(fv[fm::Feature::BlurEffect], 0.75);
  EXPECT_DOUBLE_EQ(fv[fm::Feature::Texture], 0.5);
  EXPECT_FALSE(fv.has(fm::Feature::NoiseSigma));
  EXPECT_FALSE(fm::FrameResult::from_structure(nullptr));
}

GstSample* make_sample(const char* format, int width, int height, guint8 fill) {
  GstVideoInfo info;
  gst_video_info_set_format(&info, gst_video_format_from_string(format), width, height);
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  gst_buffer_memset(buf, 0, fill, GST_VIDEO_INFO_SIZE(&info));
  g_autoptr(GstCaps) caps = gst_video_info_to_caps(&info);
  GstSample* sample = gst_sample_new(buf, caps, nullptr, nullptr);
  gst_buffer_unref(buf);
  return sample;
}

TEST(SampleToMat, CopiesOrConvertsToTheFormatAsked) {
  gst_init(nullptr, nullptr);
  g_autoptr(GstSample) gray = make_sample("GRAY8", 6, 4, 100);
  const cv::Mat g = gst::sample_to_mat(gray, GST_VIDEO_FORMAT_GRAY8);
  ASSERT_EQ(g.type(), CV_8UC1);
  EXPECT_EQ(g.cols, 6);
  EXPECT_EQ(g.rows, 4);
  EXPECT_EQ(g.at<unsigned char>(3, 5), 100);

  const cv::Mat bgr = gst::sample_to_mat(gray, GST_VIDEO_FORMAT_BGR);  // converted
  ASSERT_EQ(bgr.type(), CV_8UC3);
  EXPECT_EQ(bgr.cols, 6);
  EXPECT_NEAR(bgr.at<cv::Vec3b>(2, 2)[1], 100, 2);

  EXPECT_TRUE(gst::sample_to_mat(gray, GST_VIDEO_FORMAT_I420).empty()) << "only GRAY8 and BGR";
}

// What decoders give (planar YUV, a frame rate in the caps) converts to the
// right colours: BT.601 limited-range red is Y 81, U 90, V 240.
TEST(SampleToMat, ConvertsDecodedYuvWithItsColours) {
  gst_init(nullptr, nullptr);
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_I420, 16, 8);
  GST_VIDEO_INFO_FPS_N(&info) = 25;
  GST_VIDEO_INFO_FPS_D(&info) = 1;
  info.colorimetry.matrix = GST_VIDEO_COLOR_MATRIX_BT601;
  info.colorimetry.range = GST_VIDEO_COLOR_RANGE_16_235;
  g_autoptr(GstBuffer) buf = gst_buffer_new_allocate(nullptr, GST_VIDEO_INFO_SIZE(&info), nullptr);
  const guint8 fill[3] = {81, 90, 240};
  for (guint p = 0; p < 3; ++p)
    gst_buffer_memset(buf, GST_VIDEO_INFO_PLANE_OFFSET(&info, p), fill[p],
                      static_cast<gsize>(GST_VIDEO_INFO_PLANE_STRIDE(&info, p)) * GST_VIDEO_INFO_COMP_HEIGHT(&info, p));
  g_autoptr(GstCaps) caps = gst_video_info_to_caps(&info);
  g_autoptr(GstSample) sample = gst_sample_new(buf, caps, nullptr, nullptr);
  const cv::Mat bgr = gst::sample_to_mat(sample, GST_VIDEO_FORMAT_BGR);
  ASSERT_EQ(bgr.type(), CV_8UC3);
  ASSERT_EQ(bgr.cols, 16);
  ASSERT_EQ(bgr.rows, 8);
  const cv::Vec3b px = bgr.at<cv::Vec3b>(4, 8);
  EXPECT_NEAR(px[0], 0, 4);
  EXPECT_NEAR(px[1], 0, 4);
  EXPECT_NEAR(px[2], 255, 4);
  const cv::Mat gray = gst::sample_to_mat(sample, GST_VIDEO_FORMAT_GRAY8);
  ASSERT_EQ(gray.type(), CV_8UC1);
  EXPECT_NEAR(gray.at<unsigned char>(4, 8), 81, 1);  // the luma plane as it is
}

// A callback's context must outlive every streaming thread: counts calls
// that arrive after the context died (through globals, never through it).
std::atomic<bool> g_context_gone{false};
std::atomic<int> g_calls_after{0};
std::atomic<int> g_calls{0};

struct CountingContext {
  std::atomic<int> buffers{0};
  ~CountingContext() { g_context_gone = true; }
};

GstPadProbeReturn count_buffer(GstPad*, GstPadProbeInfo*, gpointer data) {
  if (g_context_gone) ++g_calls_after;
  ++static_cast<CountingContext*>(data)->buffers;
  ++g_calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // widen the window
  return GST_PAD_PROBE_OK;
}

TEST(OwnedPipeline, StopsThePipelineBeforeItsContextGoes) {
  gst_init(nullptr, nullptr);
  for (int round = 0; round < 5; ++round) {
    g_context_gone = false;
    g_calls = 0;
    {
      gst::OwnedPipeline<CountingContext> run;
      run.pipeline.reset(gst_parse_launch("videotestsrc is-live=false ! fakesink name=sink sync=false", nullptr));
      ASSERT_TRUE(run.get());
      g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(run.get()), "sink");
      g_autoptr(GstPad) pad = gst_element_get_static_pad(sink, "sink");
      gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &run.context, nullptr);
      gst_element_set_state(run.get(), GST_STATE_PLAYING);
      while (g_calls < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      // Leaves the scope with the pipeline still PLAYING, as an early return would.
    }
    EXPECT_TRUE(g_context_gone);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(g_calls_after, 0) << "a streaming thread ran after the context was destroyed";
  }
}

TEST(PopBefore, ReturnsNothingOnceTheDeadlineHasPassed) {
  gst_init(nullptr, nullptr);
  g_autoptr(GstBus) bus = gst_bus_new();
  gst_bus_post(bus, gst_message_new_eos(nullptr));
  EXPECT_EQ(gst::pop_before(bus, g_get_monotonic_time() - 1, GST_MESSAGE_EOS), nullptr);
  g_autoptr(GstMessage) msg = gst::pop_before(bus, g_get_monotonic_time() + G_USEC_PER_SEC, GST_MESSAGE_EOS);
  EXPECT_NE(msg, nullptr);
  const gint64 start = g_get_monotonic_time();
  EXPECT_EQ(gst::pop_before(bus, start + 50000, GST_MESSAGE_EOS), nullptr);
  EXPECT_GE(g_get_monotonic_time() - start, 40000);
}

// Snapshots and HTML thumbnails are made as results arrive; a full frame is
// kept to the end only for --show.
TEST(ScanReport, KeepsNoFrameWithoutAViewer) {
  g_autofree gchar* dir = g_dir_make_tmp("focusmeter-scanreport-XXXXXX", nullptr);
  ASSERT_NE(dir, nullptr);
  const std::string snaps = std::string(dir) + "/snaps";
  const std::string out = std::string(dir) + "/report.json";
  cli::ReportOptions opts;
  opts.snapshots = g_strdup(snaps.c_str());
  opts.output = g_strdup(out.c_str());
  opts.format = g_strdup("json");
  cli::ReportOutput output;
  std::string error;
  ASSERT_TRUE(output.open(opts, report::ReportKind::Scan, error)) << error;
  EXPECT_FALSE(output.shows());
  {
    report::Report header;
    header.kind = report::ReportKind::Scan;
    focusmeter::scan::ScanReport report(output, header, 1);
    ASSERT_TRUE(report.wants_frames());
    report::Result r;
    r.target = r.host = "127.0.0.1";
    r.status = report::Status::Ok;
    const cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(10, 20, 30));
    report.add(0, r, frame, "127.0.0.1", true);
    EXPECT_EQ(report.frames_held(), 0u) << "a frame was kept with no viewer to show it";
    EXPECT_EQ(report.finish(), 2) << "ok without a verdict: nothing judged";
  }
  // Clean up what the report wrote.
  if (g_autoptr(GDir) d = g_dir_open(snaps.c_str(), 0, nullptr))
    while (const char* n = g_dir_read_name(d)) g_remove((snaps + "/" + n).c_str());
  g_rmdir(snaps.c_str());
  g_remove(out.c_str());
  g_rmdir(dir);
}

}  // namespace
