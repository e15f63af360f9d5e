// focusmeter core: the one rule that turns frame judgements into the
// verdict of a clip, a stream or a camera. The element's EOS summary,
// `check` on clips and streams, and `scan` all use it, so the same frames
// get the same verdict from every front end.
//
// Weights: each frame stands for the time from its own timestamp to the
// next frame's; the last one stands for the mean of the earlier stretches,
// so the rule needs no end time (a stream has none) and front ends that saw
// the same frames agree. When a time is missing, or the times do not
// increase (stills, a list of pictures, a seek back), every frame weighs the
// same (1): share of frames instead of share of time.
//
// The rule:
//  - frames without a verdict (UNKNOWN: too dark, no detail, no score, no
//    model) do not vote;
//  - BLURRY when the BLURRY share of the judged time is at least
//    `blurry_share` (kDefaultBlurryShare, 0.5: half the judged time), else
//    CLEAR;
//  - nothing judged at all: UNKNOWN, with the reason of the kind that covers
//    the most time (ties: the first seen) and the first detail of that kind.
// The score is the weighted mean score of the judged frames (information:
// the verdict is the share rule, never the mean score against a threshold).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "judgement.h"

namespace focusmeter {

struct AggregateResult {
  std::optional<Verdict> verdict;       // empty: UNKNOWN
  std::optional<NoVerdict> no_verdict;  // exactly when verdict is empty
  // The dominant reason among the frames without verdict, whenever there is
  // one (also beside a verdict, to say why part of the time was not judged).
  std::optional<NoVerdict> unknown_reason;
  std::optional<double> score;         // weighted mean score of the judged frames
  std::optional<double> blurry_share;  // BLURRY share of the judged weight, in [0, 1]; none when nothing judged
  double unknown_share = 0;            // UNKNOWN share of all the weight, in [0, 1]
  std::size_t frames = 0;              // frames added
  std::size_t judged_frames = 0;       // with a verdict
  std::size_t blurry_frames = 0;
  std::size_t unknown_frames = 0;  // without a verdict
  bool by_time = false;            // weights were time stretches (else one per frame)
};

class Aggregate {
 public:
  static constexpr double kDefaultBlurryShare = 0.5;

  // `blurry_share` in [0, 1]; none: kDefaultBlurryShare.
  explicit Aggregate(std::optional<double> blurry_share = std::nullopt);

  // One frame, in the order shown; `time` in seconds (stream or running
  // time, any origin), none when unknown. O(1) memory per stream.
  void add(const Judgement& j, std::optional<double> time = std::nullopt);

  AggregateResult result() const;
  std::size_t frames() const { return frames_; }

 private:
  struct Frame {
    std::optional<Verdict> verdict;
    double score = 0;
    NoVerdictKind kind = NoVerdictKind::NoDetail;
  };
  static constexpr std::size_t kKinds = 4;
  struct Tally {
    double total = 0, judged = 0, blurry = 0, score_sum = 0;
    std::array<double, kKinds> unknown{};
    void add(const Frame& f, double weight);
  };

  double blurry_share_;
  std::size_t frames_ = 0, judged_ = 0, blurry_ = 0;
  Tally by_count_;
  Tally by_time_;  // every frame but the pending one, weighted by its stretch
  bool times_usable_ = true;
  double first_time_ = 0, last_time_ = 0;
  Frame pending_;  // the last frame: its stretch is known only at result()
  std::array<std::string, kKinds> first_detail_;
  std::array<std::size_t, kKinds> first_seen_{};  // frame index + 1 of the first of each kind; 0: none
};

}  // namespace focusmeter
