#include "focusmeter/aggregate.h"

#include <algorithm>
#include <cmath>

namespace focusmeter {

void Aggregate::Tally::add(const Frame& f, double weight) {
  total += weight;
  if (!f.verdict) {
    unknown[static_cast<std::size_t>(f.kind)] += weight;
    return;
  }
  judged += weight;
  score_sum += weight * f.score;
  if (*f.verdict == Verdict::Blurry) blurry += weight;
}

Aggregate::Aggregate(std::optional<double> blurry_share)
    : blurry_share_(std::clamp(blurry_share.value_or(kDefaultBlurryShare), 0.0, 1.0)) {}

void Aggregate::add(const Judgement& j, std::optional<double> time) {
  Frame f;
  f.verdict = j.verdict;
  f.score = j.score.value_or(0.0);
  if (!j.verdict) {
    // A judgement without verdict always says why; a caller's empty one is
    // "nothing to judge", never a vote.
    const NoVerdict why = j.no_verdict.value_or(NoVerdict{NoVerdictKind::NoDetail, "no verdict"});
    f.kind = why.kind;
    const auto k = static_cast<std::size_t>(why.kind);
    if (!first_seen_[k]) {
      first_seen_[k] = frames_ + 1;
      first_detail_[k] = why.detail;
    }
  }
  by_count_.add(f, 1.0);
  if (!time || !std::isfinite(*time)) {
    times_usable_ = false;
  } else if (frames_ > 0 && times_usable_) {
    if (*time > last_time_)
      by_time_.add(pending_, *time - last_time_);
    else
      times_usable_ = false;  // a seek back or a repeated time: count frames instead
  }
  if (frames_ == 0 && time) first_time_ = *time;
  if (time) last_time_ = *time;
  pending_ = f;
  ++frames_;
  if (f.verdict) {
    ++judged_;
    if (*f.verdict == Verdict::Blurry) ++blurry_;
  }
}

AggregateResult Aggregate::result() const {
  AggregateResult r;
  r.frames = frames_;
  r.judged_frames = judged_;
  r.blurry_frames = blurry_;
  r.unknown_frames = frames_ - judged_;
  if (frames_ == 0) {
    r.no_verdict = NoVerdict{NoVerdictKind::NoDetail, "no frame analysed"};
    return r;
  }
  Tally t = by_count_;
  if (times_usable_ && frames_ >= 2) {
    t = by_time_;
    t.add(pending_, (last_time_ - first_time_) / static_cast<double>(frames_ - 1));
    r.by_time = true;
  }
  r.unknown_share = t.total > 0 ? (t.total - t.judged) / t.total : 0.0;
  // The kind covering the most weight, ties to the first seen.
  std::size_t best = kKinds;
  for (std::size_t k = 0; k < kKinds; ++k) {
    if (!first_seen_[k]) continue;
    if (best == kKinds || t.unknown[k] > t.unknown[best] ||
        (t.unknown[k] == t.unknown[best] && first_seen_[k] < first_seen_[best]))
      best = k;
  }
  if (best != kKinds) r.unknown_reason = NoVerdict{static_cast<NoVerdictKind>(best), first_detail_[best]};
  if (judged_ > 0 && t.judged > 0) {
    r.blurry_share = t.blurry / t.judged;
    r.score = t.score_sum / t.judged;
    r.verdict = *r.blurry_share >= blurry_share_ ? Verdict::Blurry : Verdict::Clear;
    return r;
  }
  r.no_verdict = r.unknown_reason.value_or(NoVerdict{NoVerdictKind::NoDetail, "no verdict"});
  return r;
}

}  // namespace focusmeter
