// Still images go straight to the core: one decode, one feature pass, and no
// pipeline to build and tear down per image (a folder may hold thousands).
// JPEGs, the common case, are decoded to their luma plane (image_luma.h).
#include <chrono>

#include "check/check.h"
#include "focusmeter/features.h"
#include "focusmeter/judgement.h"
#include "media/image_luma.h"

namespace focusmeter::check {

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
    // The same features and judgement as the element and the clips: a frame
    // with too little structure scores 0.5 and says so (focusmeter/judgement.h).
    r.features = compute_features(img.view(), judgement_features(s.model.get()));
    r.status = report::Status::Ok;
    r.width = img.gray.cols;
    r.height = img.gray.rows;
    if (s.model) {
      const Judgement j = judge(*s.model, r.features, s.threshold);
      if (j.prediction.verdict) {
        r.score = j.prediction.score;
        r.verdict = j.prediction.verdict;
      } else {
        r.status = report::Status::Error;
        r.reason = "no verdict: " + j.prediction.no_verdict;
      }
    }
    report::note_low_texture(r, is_low_texture(r.features, s.model.get()) ? 1 : 0, 1);
    if (s.want_frame) c.frame = img.gray;
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
