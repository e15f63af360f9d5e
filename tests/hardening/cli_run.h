// Running the focusmeter program from the hardening tests: one call, output
// and exit status captured, and a temporary folder removed afterwards.
#pragma once

#include <glib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace hardening_test {

struct Run {
  int exit_code = -1;
  std::string out, err;
};

inline Run run_focusmeter(const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env = {}) {
  std::vector<const char*> argv = {FOCUSMETER_EXE};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  g_auto(GStrv) envp = g_get_environ();
  for (const auto& [name, value] : env) envp = g_environ_setenv(envp, name.c_str(), value.c_str(), TRUE);
  Run r;
  g_autofree gchar* out = nullptr;
  g_autofree gchar* err = nullptr;
  gint status = 0;
  g_autoptr(GError) error = nullptr;
  if (!g_spawn_sync(nullptr, const_cast<gchar**>(argv.data()), envp, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err,
                    &status, &error)) {
    r.err = error->message;
    return r;
  }
  r.out = out ? out : "";
  r.err = err ? err : "";
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
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
