// Running the focusmeter program from the hardening tests: one call, output
// and exit status captured, and a temporary folder removed afterwards.
#pragma once

#include <glib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "../common/focusmeter_run.h"

namespace hardening_test {

struct Run {
  int exit_code = -1;
  std::string out, err;
};

// The tests' one runner (tests/common/focusmeter_run.h), with the
// environment as pairs added to the test's own.
inline Run run_focusmeter(const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env = {}) {
  const focusmeter_test::RunResult run = focusmeter_test::run_focusmeter(args, {env.begin(), env.end()});
  return {run.status, run.out, run.err};
}

class TempDir {
 public:
  TempDir() {
    g_autoptr(GError) err = nullptr;
    g_autofree gchar* d = g_dir_make_tmp("focusmeter-hardening-XXXXXX", &err);
    path_ = d ? d : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

template <typename Bytes>
inline void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string model_path() { return std::string(FOCUSMETER_TEST_DATA) + "/models/check-model.json"; }

}  // namespace hardening_test
