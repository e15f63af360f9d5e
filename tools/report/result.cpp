#include "report/result.h"

namespace focusmeter::report {

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::Unreachable:
      return "unreachable";
    case Status::AuthFailed:
      return "auth_failed";
    case Status::NotFound:
      return "not_found";
    case Status::Timeout:
      return "timeout";
    case Status::StreamError:
      return "stream_error";
    case Status::Error:
      return "error";
    case Status::NoPicture:
      return "no_picture";
  }
  return "error";
}

void note_low_texture(Result& r, std::size_t low, std::size_t analysed) {
  if (low == 0) return;
  std::string line = "too little texture to judge focus";
  if (low < analysed) line += " in " + std::to_string(low) + " of " + std::to_string(analysed) + " analysed frames";
  r.reason = r.reason.empty() ? line : r.reason + "; " + line;
}

}  // namespace focusmeter::report
