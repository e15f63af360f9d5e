#include "media/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace focusmeter::media {
namespace {

std::string kind_reason(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "a folder, not a file";
  const char* what = S_ISFIFO(mode)   ? "a FIFO"
                     : S_ISSOCK(mode) ? "a socket"
                     : S_ISCHR(mode)  ? "a character device"
                     : S_ISBLK(mode)  ? "a block device"
                                      : "not a file";
  return std::string("not a regular file (") + what + "), not opened";
}

}  // namespace

std::string non_regular_file_reason(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return kind_reason(st.st_mode);
  const int err = errno;
  struct stat lst {};
  if (err == ELOOP) return "symbolic link loop";
  if (err == ENOENT && ::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) return "broken symbolic link";
  if (err == ENOENT) return "no such file";
  return std::string("cannot access: ") + std::strerror(err);
}

int open_regular_file(const std::string& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    error = non_regular_file_reason(path);
    if (error.empty()) error = std::string("cannot open file: ") + std::strerror(err);
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = ::fstat(fd, &st) != 0 ? std::string("cannot stat file: ") + std::strerror(errno) : kind_reason(st.st_mode);
    ::close(fd);
    return -1;
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

}  // namespace focusmeter::media
