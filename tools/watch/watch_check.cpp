#include "watch/watch_check.h"

#include <glib.h>

#include "focusmeter/judgement.h"
#include "nlohmann/json.hpp"

namespace focusmeter::watch {

namespace {

// How far back the learning looks for healthy checks: a camera that never
// gets enough of them (always BLURRY) does not make every check read its
// whole history.
constexpr double kLearningWindowS = 14 * 86400.0;

bool learnable_check(const CheckRecord& c, LightMode mode) {
  const nlohmann::json j = nlohmann::json::parse(c.features_json, nullptr, false);
  return j.is_object() && j.value("learnable", false) && j.value("mode", std::string()) == light_mode_name(mode);
}

// Learns the camera's reference of `mode` from its healthy checks, when
// there are enough. Called under the state lock, after the check is stored.
bool maybe_learn(StateStore& store, std::int64_t camera_id, LightMode mode, int learn_checks, double now,
                 std::int64_t check_id) {
  std::vector<FrameSignature> healthy;
  const auto checks = store.checks(camera_id, now - kLearningWindowS);
  for (auto it = checks.rbegin(); it != checks.rend() && static_cast<int>(healthy.size()) < learn_checks; ++it)
    if (learnable_check(*it, mode))
      if (auto s = signature_from_json(it->features_json)) healthy.push_back(std::move(*s));
  if (static_cast<int>(healthy.size()) < learn_checks) return false;
  const auto combined = combine_signatures(healthy);
  if (!combined) return false;
  ReferenceRecord r;
  r.camera_id = camera_id;
  r.mode = mode;
  r.features_json = signature_json(*combined);
  r.map_json = "null";
  r.created = now;
  r.source_check_id = check_id;
  store.add_reference(r);
  return true;
}

}  // namespace

void register_camera(WatchState& state, WatchCamera& camera) {
  std::lock_guard<std::mutex> guard(state.lock);
  CameraRecord rec;
  rec.identity = camera.identity;
  rec.name = camera.name;
  rec.url = camera.target.spec->kind == scan::TargetSpec::Kind::Url ? camera.target.spec->url : camera.identity;
  nlohmann::json settings;
  if (camera.fields.every_s) settings["every"] = *camera.fields.every_s;
  if (camera.fields.threshold) settings["threshold"] = *camera.fields.threshold;
  if (camera.fields.drift) settings["drift"] = *camera.fields.drift;
  settings["reference"] = camera.fields.reference == ReferenceMode::Manual ? "manual" : "auto";
  rec.settings_json = settings.dump();
  camera.camera_id = state.store.upsert_camera(rec);
  restore_camera(state.store, state.tracker, camera.identity, camera.camera_id);
}

std::string check_features_json(const CheckReport& report, const std::optional<FrameSignature>& signature,
                                bool learnable) {
  nlohmann::json j = signature ? nlohmann::json::parse(signature_json(*signature)) : nlohmann::json::object();
  if (report.result.verdict) j["absolute_verdict"] = verdict_name(*report.result.verdict);
  if (report.judgement.relative_drop) j["relative_drop"] = *report.judgement.relative_drop;
  if (report.judgement.view_correlation) j["view_correlation"] = *report.judgement.view_correlation;
  j["reason"] = !report.judgement.reason.empty() ? report.judgement.reason : report.result.reason;
  j["learnable"] = learnable;
  return j.dump();
}

CheckReport check_camera(const WatchCamera& camera, const CheckSettings& settings, WatchState& state) {
  scan::ScanSettings scan = settings.scan;
  scan.stream.keyframes_only = true;
  scan.stream.want_frame = true;
  if (camera.fields.threshold) scan.threshold = camera.fields.threshold;
  RelativeThresholds thresholds = settings.thresholds;
  if (camera.fields.drift) thresholds.drift = *camera.fields.drift;

  CheckReport report;
  cv::Mat frame;
  report.result = scan::scan_target(camera.target, scan, &frame);
  report.time = g_get_real_time() / 1e6;
  const report::Result& r = report.result;

  CheckFacts facts;
  facts.analysed = r.status == report::Status::Ok;
  facts.absolute = r.verdict;
  std::optional<FrameSignature> signature;
  if (facts.analysed) {
    facts.low_texture = is_low_texture(r.features, scan.model.get());
    signature = signature_of(frame, r.features);
    facts.signature = signature;
    report.mode = signature->mode;
  }

  std::lock_guard<std::mutex> guard(state.lock);
  if (signature)
    if (const auto ref = state.store.current_reference(camera.camera_id, signature->mode))
      facts.reference = signature_from_json(ref->features_json);
  report.judgement = judge_check(facts, thresholds);
  if (!facts.analysed) report.judgement.reason = r.reason;

  const bool learnable = !report.judgement.against_reference &&
                         healthy_for_learning({facts.analysed, r.verdict == Verdict::Clear && !facts.low_texture,
                                               report.judgement.outcome == CheckOutcome::Obscured});
  CheckRecord rec;
  rec.camera_id = camera.camera_id;
  rec.time = report.time;
  rec.status = report::status_name(r.status);
  if (facts.analysed) rec.verdict = report.judgement.label;
  rec.score = r.score;
  rec.features_json = check_features_json(report, signature, learnable);
  const RecordedCheck recorded =
      record_check(state.store, state.tracker, camera.identity, camera.camera_id, rec, report.judgement.outcome);
  report.check_id = recorded.check_id;
  report.transitions = recorded.transitions;
  for (IncidentKind k : kIncidentKinds)
    if (state.tracker.incident_open(camera.identity, k)) report.open_incidents.push_back(k);
  if (learnable && camera.fields.reference == ReferenceMode::Auto && !facts.reference)
    report.reference_learned = maybe_learn(state.store, camera.camera_id, signature->mode, settings.learn_checks,
                                           report.time, report.check_id);
  return report;
}

bool set_reference_from_check(StateStore& store, std::int64_t camera_id, std::int64_t check_id, double now,
                              std::string& error) {
  const auto check = store.check(check_id);
  if (!check || check->camera_id != camera_id) {
    error = "no check " + std::to_string(check_id) + " of this camera";
    return false;
  }
  const auto signature = signature_from_json(check->features_json);
  if (!signature) {
    error = "check " + std::to_string(check_id) + " analysed no picture (status " + check->status + ")";
    return false;
  }
  ReferenceRecord r;
  r.camera_id = camera_id;
  r.mode = signature->mode;
  r.features_json = signature_json(*signature);
  r.map_json = "null";
  r.created = now;
  r.source_check_id = check_id;
  store.add_reference(r);
  return true;
}

}  // namespace focusmeter::watch
