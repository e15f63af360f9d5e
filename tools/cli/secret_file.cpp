#include "cli/secret_file.h"

#include <glib.h>

#include <cstring>

namespace focusmeter::cli {

bool read_secret_file(const std::string& path, std::string& line, std::string& error) {
  g_autofree gchar* text = nullptr;
  gsize size = 0;
  g_autoptr(GError) err = nullptr;
  if (!g_file_get_contents(path.c_str(), &text, &size, &err)) {
    error = err->message;  // names the file and the system's reason
    return false;
  }
  if (std::memchr(text, '\0', size)) {
    error = path + ": not a text file";
    return false;
  }
  const std::string all(text, size);
  line = all.substr(0, all.find_first_of("\r\n"));
  return true;
}

}  // namespace focusmeter::cli
