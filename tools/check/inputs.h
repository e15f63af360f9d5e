// What `focusmeter check` was asked to look at, expanded into a flat list of
// inputs, each already classified as an image, a video file or a stream.
//
// Files are classified by content (GStreamer's type finders on the first
// bytes), not by name: a JPEG named .txt is an image, a text file named .jpg
// is not. In folders, files that are neither an image nor a video by content
// or by extension (notes.txt, hidden files) are skipped; everything named
// on the command line is reported, good or bad.
#pragma once

#include <string>
#include <vector>

#include "gstreamer/credentials.h"

namespace focusmeter::check {

enum class InputKind {
  Image,   // still image file, decoded with OpenCV (media/image_luma.h)
  Video,   // video (or audio-only) file, through a GStreamer pipeline
  Stream,  // a URI other than file:// (rtsp://, http(s)://, ...)
  Bad,     // cannot be checked at all: `reason` says why
};
const char* input_kind_name(InputKind k);  // "image", "video", "stream"; Bad: ""

struct Input {
  std::string source;  // as given (a URI redacted: never a password), or the file found in a folder
  InputKind kind = InputKind::Bad;
  std::string path;                    // local file (Image, Video)
  std::string uri;                     // what the pipeline opens (Video, Stream); never user:password
  gst::StreamCredentials credentials;  // Stream only: given to the source element, not put in `uri`
  std::string reason;                  // Bad only
  std::string media_type;              // what the content sniffed as, e.g. "image/jpeg"
};

// Expands command-line arguments: files, folders (their direct files, or
// the whole tree with `recursive`; in name order), file:// URIs and other
// URIs. Never fails: problems become Bad inputs. A stream URI loses any
// user:password part; its user (else credentials.user) and
// credentials.password go into Input::credentials instead.
std::vector<Input> expand_inputs(const std::vector<std::string>& args, bool recursive,
                                 const gst::StreamCredentials& credentials = {});

// Classifies one file by its content; `explicit_arg` = named on the command
// line (then unknown content is Bad rather than skipped). Returns false when
// a folder walk should skip the file.
bool classify_file(const std::string& path, bool explicit_arg, Input& out);

// The media type GStreamer's type finders see in `data` (e.g. "image/jpeg",
// "video/quicktime"), or "" when nothing matches.
std::string sniff_media_type(const void* data, std::size_t size);

}  // namespace focusmeter::check
