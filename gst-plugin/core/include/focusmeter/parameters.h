// focusmeter core: the settings that exist both as a property of the
// `focusmeter` element and as an option of the CLI, declared once (name,
// range, default, doc), so that the element's GParamSpecs and the CLI's
// option parsing and checks cannot disagree (docs/element.md, docs/check.md,
// docs/scan.md).
#pragma once

#include <cstdint>
#include <optional>

namespace focusmeter::parameters {

// A score threshold: -1 means "the model's own threshold"; otherwise a
// value in [0, 1] (score >= threshold: BLURRY). Values in (-1, 0) are
// refused by the CLI and ignored, with a warning, by the element. The
// element's `threshold` property and `--threshold` of check, scan and train.
struct Threshold {
  static constexpr const char* kName = "threshold";
  static constexpr const char* kNick = "Threshold";
  static constexpr const char* kDoc =
      "Score at or above which a frame is BLURRY, in [0, 1]; -1 = the model's own threshold";
  static constexpr double kMin = -1.0;  // the GParamSpec range
  static constexpr double kMax = 1.0;
  static constexpr double kModelOwn = -1.0;  // the default
  static constexpr const char* kRule = "must be in [0, 1], or -1 for the model's own";

  static constexpr bool valid(double v) { return v == kModelOwn || (v >= 0 && v <= 1); }
  // The one conversion between the sentinel and the optional.
  static std::optional<double> from_value(double v) { return v == kModelOwn ? std::nullopt : std::optional<double>(v); }
  static double to_value(std::optional<double> t) { return t.value_or(kModelOwn); }
};

// Running time between analysed frames: the element's `interval` (ns) and
// check's `--every` (seconds). 0 analyses every frame.
struct Interval {
  static constexpr const char* kName = "interval";
  static constexpr const char* kNick = "Interval";
  static constexpr const char* kDoc = "Running time between analysed frames, in nanoseconds (0 = every frame)";
  static constexpr std::uint64_t kMinNs = 0;
  static constexpr std::uint64_t kMaxNs = UINT64_MAX;
  static constexpr std::uint64_t kDefaultNs = 1000000000;  // one second
  static constexpr double kDefaultSeconds = kDefaultNs / 1e9;
};

// The one temporal rule's cut (focusmeter/aggregate.h): a clip, stream or
// camera is BLURRY overall when at least this share of its judged time is
// BLURRY. The element's `blurry-share` (its EOS summary) and `--blurry-share`
// of check, scan and watch.
struct BlurryShare {
  static constexpr const char* kName = "blurry-share";
  static constexpr const char* kDoc =
      "A clip, stream or camera is BLURRY overall when at least this share of its judged time is BLURRY, in "
      "[0, 1] (default 0.5)";
  static constexpr double kMin = 0.0;
  static constexpr double kMax = 1.0;
  static constexpr double kDefault = 0.5;  // Aggregate::kDefaultBlurryShare
  static constexpr const char* kRule = "must be in [0, 1]";

  static constexpr bool valid(double v) { return v >= kMin && v <= kMax; }
};

// The model file: the element's `model` and the CLI's `--model`.
struct ModelFile {
  static constexpr const char* kName = "model";
  static constexpr const char* kNick = "Model";
  static constexpr const char* kDoc =
      "Focus model file (JSON, docs/model-format.md); default: $FOCUSMETER_MODEL when set, else the model "
      "compiled in (models/default.json)";
};

}  // namespace focusmeter::parameters
