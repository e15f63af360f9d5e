#include "check/jpeg_luma.h"

#include <glib.h>

#include <opencv2/imgcodecs.hpp>

namespace focusmeter::cli::check {

bool jpeg_is_complete(const unsigned char* data, std::size_t size) {
  std::size_t last_sos = size;
  for (std::size_t i = size; i-- > 1;)
    if (data[i - 1] == 0xFF && data[i] == 0xDA) {
      last_sos = i - 1;
      break;
    }
  if (last_sos == size) return false;
  for (std::size_t i = last_sos + 2; i + 1 < size; ++i)
    if (data[i] == 0xFF && data[i + 1] == 0xD9) return true;
  return false;
}

bool decode_jpeg_luma_file(const std::string& path, LumaImage& out, std::string& error) {
  g_autofree gchar* bytes = nullptr;
  gsize size = 0;
  g_autoptr(GError) err = nullptr;
  if (!g_file_get_contents(path.c_str(), &bytes, &size, &err)) {
    error = std::string("cannot read file: ") + err->message;
    return false;
  }
  const auto* data = reinterpret_cast<const unsigned char*>(bytes);
  if (!jpeg_is_complete(data, size)) {
    error = "truncated or corrupt JPEG (no end-of-image marker after the image data)";
    return false;
  }
  try {
    const cv::Mat buf(1, static_cast<int>(size), CV_8UC1, bytes);
    out.gray = cv::imdecode(buf, cv::IMREAD_GRAYSCALE);
  } catch (const cv::Exception& e) {
    error = "not a decodable JPEG (" + e.msg + ")";
    return false;
  }
  if (out.gray.empty()) {
    error = "not a decodable JPEG";
    return false;
  }
  return true;
}

}  // namespace focusmeter::cli::check
