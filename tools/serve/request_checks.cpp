#include "serve/request_checks.h"

#include <glib.h>

#include <cstring>

#include "cli/secret_file.h"

namespace focusmeter::serve {

bool bearer_token_matches(const char* authorization, const std::string& token) {
  if (!authorization || token.empty()) return false;
  constexpr const char kScheme[] = "Bearer ";
  if (g_ascii_strncasecmp(authorization, kScheme, sizeof kScheme - 1) != 0) return false;
  const char* given = authorization + sizeof kScheme - 1;
  while (*given == ' ') ++given;
  const std::size_t n = std::strlen(given);
  // Compare every byte of the expected token even on a length mismatch.
  unsigned char diff = n == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < token.size(); ++i) diff |= static_cast<unsigned char>(token[i] ^ (i < n ? given[i] : 0));
  return diff == 0;
}

bool is_image_content_type(const char* content_type) {
  if (!content_type) return false;
  return g_ascii_strncasecmp(content_type, "image/", 6) == 0 ||
         g_ascii_strncasecmp(content_type, "application/octet-stream", 24) == 0;
}

bool read_token_file(const std::string& path, std::string& token, std::string& error) {
  std::string line;
  if (!cli::read_secret_file(path, line, error)) {
    error = "--token-file: " + error;
    return false;
  }
  g_autofree gchar* text = g_strdup(line.c_str());
  g_strstrip(text);
  for (const char* p = text; *p; ++p)
    if (*p <= ' ' || *p == 127) {
      error = "--token-file " + path + ": the token must be one word of printable ASCII";
      return false;
    }
  if (std::strlen(text) < 16) {
    error = "--token-file " + path + ": the token is shorter than 16 characters";
    return false;
  }
  token = text;
  return true;
}

}  // namespace focusmeter::serve
