#include "check/inputs.h"

#include <gst/base/gsttypefindhelper.h>
#include <gst/gst.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "cli/url.h"
#include "media/regular_file.h"

namespace focusmeter::check {
namespace fs = std::filesystem;
namespace {

// Enough for every container's signature, MPEG-TS included (several 188-byte packets).
constexpr std::size_t kSniffBytes = 16 * 1024;

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

bool image_extension(const std::string& ext) {
  for (const char* e :
       {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pnm", ".heic", ".heif", ".avif"})
    if (ext == e) return true;
  return false;
}

bool video_extension(const std::string& ext) {
  for (const char* e : {".mp4", ".m4v", ".mkv", ".webm", ".avi", ".mov", ".ts", ".mts", ".m2ts", ".mpg", ".mpeg",
                        ".ogv", ".flv", ".3gp", ".wmv", ".asf"})
    if (ext == e) return true;
  return false;
}

bool is_image_type(const std::string& t) { return starts_with(t, "image/"); }

// HEIF still images (HEIC, AVIF) are ISO-BMFF files, which typefind calls
// video/quicktime; no decoder in Debian 12's GStreamer or OpenCV 4.6 reads
// their image items, so a pipeline would only wait out its timeout. Returns
// "HEIC" or "AVIF" from the ftyp box's brands, else "".
std::string heif_image_kind(const std::vector<char>& head) {
  if (head.size() < 16 || std::memcmp(head.data() + 4, "ftyp", 4) != 0) return {};
  const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(head[i])); };
  const std::size_t box =
      std::min<std::size_t>(head.size(), (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3));
  bool heic = false, avif = false;
  for (std::size_t at = 8; at + 4 <= box; at += at == 8 ? 8 : 4) {  // major brand, minor version, compatible brands
    const std::string brand(head.data() + at, 4);
    avif |= brand == "avif" || brand == "avis";
    heic |= brand == "heic" || brand == "heix" || brand == "heim" || brand == "heis" || brand == "hevc" ||
            brand == "hevx" || brand == "mif1" || brand == "msf1";
  }
  return avif ? "AVIF" : heic ? "HEIC" : "";
}

// Containers and elementary video streams; audio types count too, so that an
// audio-only clip gets a clear "no video track" from the pipeline.
bool is_video_type(const std::string& t) {
  return starts_with(t, "video/") || starts_with(t, "audio/") || t == "application/ogg" || t == "application/x-id3" ||
         t == "application/x-apetag" || t == "application/mxf";
}

std::string file_uri(const std::string& path) {
  g_autoptr(GError) err = nullptr;
  const std::string abs = fs::absolute(path).string();
  g_autofree gchar* uri = g_filename_to_uri(abs.c_str(), nullptr, &err);
  return uri ? uri : "";
}

Input bad(const std::string& source, std::string reason) {
  Input in;
  in.source = source;
  in.kind = InputKind::Bad;
  in.reason = std::move(reason);
  return in;
}

void walk_folder(const std::string& dir, bool recursive, std::vector<Input>& out) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    out.push_back(bad(dir, "cannot read folder: " + ec.message()));
    return;
  }
  std::vector<fs::directory_entry> entries;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) {
      out.push_back(bad(dir, "cannot read folder: " + ec.message()));
      break;
    }
    entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end(),
            [](const fs::directory_entry& a, const fs::directory_entry& b) { return a.path() < b.path(); });
  for (const auto& e : entries) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    const std::string path = e.path().string();
    std::error_code sec;
    // Do not follow links to folders: no loops, no escaping the tree.
    if (e.is_directory(sec)) {
      if (recursive && !e.is_symlink(sec)) walk_folder(path, recursive, out);
      continue;
    }
    // Not a folder: a file, or a FIFO, socket, device or dangling link,
    // which classify_file reports (when named like media) without opening.
    Input in;
    if (classify_file(path, false, in)) out.push_back(std::move(in));
  }
}

}  // namespace

const char* input_kind_name(InputKind k) {
  switch (k) {
    case InputKind::Image:
      return "image";
    case InputKind::Video:
      return "video";
    case InputKind::Stream:
      return "stream";
    case InputKind::Bad:
      break;
  }
  return "";
}

std::string sniff_media_type(const void* data, std::size_t size) {
  if (size == 0) return "";
  GstTypeFindProbability prob = GST_TYPE_FIND_NONE;
  g_autoptr(GstCaps) caps = gst_type_find_helper_for_data(nullptr, static_cast<const guint8*>(data), size, &prob);
  if (!caps || gst_caps_is_empty(caps) || gst_caps_is_any(caps)) return "";
  return gst_structure_get_name(gst_caps_get_structure(caps, 0));
}

bool classify_file(const std::string& path, bool explicit_arg, Input& out) {
  out = Input{};
  out.source = path;
  out.path = path;
  const std::string ext = lower_extension(path);
  // FIFOs, sockets, devices and broken or looping links are never opened
  // (a FIFO would block for ever); in a folder they are reported when named
  // like media, as a regular file would be.
  if (std::string why = media::non_regular_file_reason(path); !why.empty()) {
    if (!explicit_arg && !image_extension(ext) && !video_extension(ext)) return false;
    out = bad(path, why);
    return true;
  }
  std::string open_error;
  const int fd = media::open_regular_file(path, open_error);
  if (fd < 0) {
    out = bad(path, open_error);
    return true;
  }
  std::vector<char> head(kSniffBytes);
  std::size_t got = 0;
  for (ssize_t n;
       got < head.size() && ((n = ::read(fd, head.data() + got, head.size() - got)) > 0 || (n < 0 && errno == EINTR));)
    if (n > 0) got += static_cast<std::size_t>(n);
  ::close(fd);
  head.resize(got);
  const bool media_name = image_extension(ext) || video_extension(ext);
  if (head.empty()) {
    if (!explicit_arg && !media_name) return false;
    out = bad(path, "empty file (0 bytes)");
    return true;
  }
  if (const std::string heif = heif_image_kind(head); !heif.empty()) {
    out = bad(path, heif + " images are not supported");
    out.media_type = heif == "AVIF" ? "image/avif" : "image/heic";
    return true;
  }
  const std::string type = sniff_media_type(head.data(), head.size());
  out.media_type = type;
  if (is_image_type(type)) {
    out.kind = InputKind::Image;
  } else if (is_video_type(type)) {
    out.kind = InputKind::Video;
    out.uri = file_uri(path);
  } else {
    if (!explicit_arg && !media_name) return false;  // e.g. notes.txt in a folder
    out = bad(path, "not an image or a video (content: " + (type.empty() ? std::string("unrecognised") : type) + ")");
  }
  return true;
}

namespace {

Input stream_input(const std::string& arg, const gst::StreamCredentials& credentials) {
  if (!gst_uri_is_valid(arg.c_str())) return bad(cli::redact_url(arg, ""), "not a valid URI");
  Input in;
  in.kind = InputKind::Stream;
  in.credentials = credentials;
  if (const std::optional<cli::Url> url = cli::parse_url(arg)) {
    // The URL's own user wins over --user, as in scan; its password never
    // gets this far (the command line refuses it) and is dropped anyway.
    if (!url->user.empty()) in.credentials.user = url->user;
    in.uri = url->bare;
  } else {
    in.uri = cli::redact_url(arg, "");  // no host (e.g. v4l2:///dev/video0)
  }
  in.source = cli::redact_url(in.uri, in.credentials.password.empty() ? "" : in.credentials.user);
  return in;
}

}  // namespace

std::vector<Input> expand_inputs(const std::vector<std::string>& args, bool recursive,
                                 const gst::StreamCredentials& credentials) {
  std::vector<Input> out;
  for (const std::string& arg : args) {
    if (arg.find("://") != std::string::npos) {
      if (starts_with(arg, "file://")) {
        g_autoptr(GError) err = nullptr;
        g_autofree gchar* path = g_filename_from_uri(arg.c_str(), nullptr, &err);
        if (!path) {
          out.push_back(bad(arg, std::string("bad file URI: ") + err->message));
          continue;
        }
        std::vector<Input> one = expand_inputs({path}, recursive);
        for (Input& in : one) {
          if (in.source == path) in.source = arg;  // keep what the user wrote
          out.push_back(std::move(in));
        }
        continue;
      }
      out.push_back(stream_input(arg, credentials));
      continue;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      std::error_code lec;
      const bool dangling = fs::is_symlink(fs::symlink_status(arg, lec));
      out.push_back(bad(arg, dangling ? media::non_regular_file_reason(arg)
                             : ec && ec != std::errc::no_such_file_or_directory
                                 ? "cannot access: " + ec.message()
                                 : std::string("no such file or folder")));
    } else if (fs::is_directory(st)) {
      const std::size_t before = out.size();
      walk_folder(arg, recursive, out);
      if (out.size() == before)
        out.push_back(bad(arg, recursive ? "no images or videos in this folder tree"
                                         : "no images or videos in this folder (--recursive looks in subfolders)"));
    } else {
      Input in;
      classify_file(arg, true, in);
      out.push_back(std::move(in));
    }
  }
  return out;
}

}  // namespace focusmeter::check
