// A camera's reference views, one per light mode (day, IR night), and how
// they are learned. Pure: the store calls are the caller's (watch_check).
//
// Learning (reference mode "auto", the default): while a camera has no
// reference for a light mode, its healthy checks of that mode are
// collected: the picture was analysed, not too dark or flat, and the
// absolute verdict was CLEAR. Once `learn_checks` of them exist (default 5),
// their combination becomes the reference: per energy cell the median of
// each value, pixel by pixel the median thumbnail, so one odd frame (a car
// passing) does not become the reference. Day and night never mix: a
// night check waits for the night reference and is judged absolutely until
// it exists.
//
// Setting it by hand (`watch reference set CAMERA --from-check ID | --now`,
// e.g. after a service visit) adds a newer reference of the picture's mode;
// the newest of a mode is the one used. Reference mode "manual" in a camera
// list turns learning off for that camera.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "watch/frame_signature.h"

namespace focusmeter::watch {

constexpr int kDefaultLearnChecks = 5;

enum class ReferenceMode { Auto, Manual };
std::optional<ReferenceMode> parse_reference_mode(const std::string& s);  // "auto", "manual"

// The combination described above; nullopt for no signatures. Every
// signature must have the same mode (the first one's is taken) and the
// cells of the first one count.
std::optional<FrameSignature> combine_signatures(const std::vector<FrameSignature>& signatures);

// A check the learning may use: analysed, absolute verdict CLEAR, not
// judged against a reference, not obscured. Written into the check's
// features JSON by the caller (watch_check) as "learnable".
struct LearningInput {
  bool analysed = false;
  bool absolute_clear = false;
  bool obscured = false;
};
inline bool healthy_for_learning(const LearningInput& in) { return in.analysed && in.absolute_clear && !in.obscured; }

}  // namespace focusmeter::watch
