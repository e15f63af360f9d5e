#include "common/image_luma.h"

#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace focusmeter::cli {
namespace {

bool to_gray(const cv::Mat& decoded, LumaImage& out, std::string& error) {
  if (decoded.empty()) {
    error = "not a decodable image (corrupt, truncated or unsupported format)";
    return false;
  }
  cv::Mat eight = decoded;
  if (decoded.depth() != CV_8U) decoded.convertTo(eight, CV_8U, decoded.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
  switch (eight.channels()) {
    case 1:
      out.gray = eight;
      break;
    case 3:
      cv::cvtColor(eight, out.gray, cv::COLOR_BGR2GRAY);
      break;
    case 4:
      cv::cvtColor(eight, out.gray, cv::COLOR_BGRA2GRAY);
      break;
    default:
      error = "unsupported image with " + std::to_string(eight.channels()) + " channels";
      return false;
  }
  return true;
}

}  // namespace

bool decode_image_bytes(const void* data, std::size_t size, LumaImage& out, std::string& error) {
  if (size == 0) {
    error = "empty image data";
    return false;
  }
  try {
    const cv::Mat buf(1, static_cast<int>(size), CV_8UC1, const_cast<void*>(data));
    return to_gray(cv::imdecode(buf, cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR), out, error);
  } catch (const cv::Exception& e) {
    error = "not a decodable image (" + e.msg + ")";
    return false;
  }
}

bool decode_image_file(const std::string& path, LumaImage& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open file";
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "cannot read file";
    return false;
  }
  if (bytes.empty()) {
    error = "empty file";
    return false;
  }
  return decode_image_bytes(bytes.data(), bytes.size(), out, error);
}

}  // namespace focusmeter::cli
