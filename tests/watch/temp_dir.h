// A private directory under $TMPDIR for one test, removed with everything in
// it when the test ends.
#pragma once

#include <glib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace focusmeter::watch::testing {

class TempDir {
 public:
  TempDir() {
    g_autoptr(GError) err = nullptr;
    g_autofree char* p = g_dir_make_tmp("focusmeter-watch-XXXXXX", &err);
    if (!p) throw std::runtime_error(err->message);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace focusmeter::watch::testing
