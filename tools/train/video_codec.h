// A camera's video encoder for the synthetic set: frames go through
// GStreamer's x264enc or x265enc (constant bitrate, no B-frames, one
// keyframe at the start, as an IP camera streams them) and back through
// libav's decoder; the last frame is a P-frame. Encoders run with one
// thread, so the output is the same byte for byte on every run and machine.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace focusmeter::train {

enum class Codec;

// Initialises GStreamer if nobody has. Call it before starting threads:
// another thread could see GStreamer initialised while the first one is
// still scanning the plugin registry.
void ensure_gstreamer();

// Encodes `frames` (8-bit grey, all the same size, width a multiple of 8,
// even height)
// at `kbps` and 25 frames/s, decodes them, and returns the last decoded
// frame's luma. Returns an empty Mat with `error` set (one line) on failure.
cv::Mat video_roundtrip(const std::vector<cv::Mat>& frames, Codec codec, int kbps, std::string& error);

}  // namespace focusmeter::train
