// Still images go straight to the core: one decode, one feature pass, and no
// pipeline to build and tear down per image (a folder may hold thousands).
// JPEGs, the common case, are decoded to their luma plane (image_luma.h).
#include <chrono>
#include <opencv2/imgcodecs.hpp>
#include <optional>

#include "check/check.h"
#include "focusmeter/features.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/judgement.h"
#include "media/image_luma.h"

namespace focusmeter::check {
namespace {

// The picture in colour for the report's thumbnail and --show (a second
// decode, only when a frame is wanted; the size was checked by the luma
// decode); the luma when the colour decode does not give the same picture.
cv::Mat colour_or_luma(const std::string& path, const cv::Mat& luma) {
  cv::Mat bgr;
  try {
    bgr = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
    bgr.release();
  }
  return !bgr.empty() && bgr.size() == luma.size() ? bgr : luma;
}

}  // namespace

Checked check_image(const Input& in, const CheckSettings& s) {
  const auto t0 = std::chrono::steady_clock::now();
  Checked c;
  report::Result& r = c.result;
  r.source = in.source;
  r.kind = "image";
  media::LumaImage img;
  std::string error;
  const bool ok = media::decode_image_file(in.path, img, error);
  if (!ok) {
    r.status = report::Status::Error;
    r.reason = error;
  } else {
    // The same features and judgement as the element and the clips: the
    // focus map's median tile (focusmeter/focus_map.h); a frame with nothing
    // to judge is UNKNOWN with a reason (focusmeter/judgement.h).
    std::optional<FrameJudgement> judged;
    if (s.model) judged = judge_frame(*s.model, img.view(), s.threshold);
    r.features = judged ? judged->features : compute_features(img.view(), judgement_features(s.model.get()));
    r.status = report::Status::Ok;
    r.width = img.gray.cols;
    r.height = img.gray.rows;
    const Judgement j = judged ? judged->judgement : judge(s.model.get(), r.features, s.threshold);
    if (j.no_verdict && j.no_verdict->kind == NoVerdictKind::NoScore) {
      r.status = report::Status::Error;
      r.reason = "no verdict: " + j.no_verdict->detail;
    } else {
      report::apply_judgement(r, j);
      if (judged) {
        r.map = summarise(judged->map, judged->aggregate);
        report::note_partial_focus(r);
      }
    }
    if (s.want_frame) c.frame = colour_or_luma(in.path, img.gray);
  }
  r.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

Checked check_input(const Input& in, const CheckSettings& s) {
  switch (in.kind) {
    case InputKind::Image:
      return check_image(in, s);
    case InputKind::Stream:
      if (is_rtsp_uri(in.uri)) return check_rtsp(in, s);
      return check_clip(in, s);
    case InputKind::Video:
      return check_clip(in, s);
    case InputKind::Bad:
      break;
  }
  Checked c;
  c.result.source = in.source;
  c.result.status = report::Status::Error;
  c.result.reason = in.reason;
  return c;
}

}  // namespace focusmeter::check
