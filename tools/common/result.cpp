#include "common/result.h"

namespace focusmeter::cli {

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
  }
  return "error";
}

}  // namespace focusmeter::cli
