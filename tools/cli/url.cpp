#include "cli/url.h"

#include <glib.h>

namespace focusmeter::cli {
namespace {

std::string unescaped(const char* s) {
  g_autofree gchar* u = g_uri_unescape_string(s, nullptr);
  return u ? u : s;
}

void replace_all(std::string& text, const std::string& what) {
  if (what.empty()) return;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 3))
    text.replace(pos, what.size(), "***");
}

// Query parameters whose value is a secret: cameras that take their
// credentials in the query (e.g. ?user=admin&password=...), relays' tokens.
bool secret_parameter(std::string key) {
  for (char& c : key) c = g_ascii_tolower(c);
  for (const char* k : {"password", "passwd", "pwd", "pass", "pw", "token", "access_token", "auth", "secret", "key"})
    if (key == k) return true;
  return false;
}

// Walks the query of `rest` (a URL's path-and-after, "/x?a=1&password=2#f"):
// `pair` gets each "key=value" (or lone word) of it, `separator` each '&' or
// ';' between them.
template <typename Pair, typename Separator>
void for_each_query_pair(const std::string& rest, Pair pair, Separator separator) {
  const auto q = rest.find('?');
  if (q == std::string::npos) return;
  const auto hash = rest.find('#', q);
  const std::size_t end = hash == std::string::npos ? rest.size() : hash;
  for (std::size_t pos = q + 1; pos <= end;) {
    std::size_t amp = rest.find_first_of("&;", pos);
    if (amp == std::string::npos || amp > end) amp = end;
    pair(rest.substr(pos, amp - pos));
    if (amp < end) separator(rest[amp]);
    pos = amp + 1;
  }
}

// The value of a "key=value" pair when the key names a secret; "" otherwise.
std::string secret_value(const std::string& pair) {
  const auto eq = pair.find('=');
  if (eq == std::string::npos || eq + 1 >= pair.size()) return "";
  return secret_parameter(unescaped(pair.substr(0, eq).c_str())) ? pair.substr(eq + 1) : "";
}

// `rest` with every secret query value replaced by "***".
std::string redact_query(const std::string& rest) {
  const auto q = rest.find('?');
  if (q == std::string::npos) return rest;
  const auto hash = rest.find('#', q);
  std::string out = rest.substr(0, q + 1);
  for_each_query_pair(
      rest,
      [&](const std::string& pair) {
        out += secret_value(pair).empty() ? pair : pair.substr(0, pair.find('=') + 1) + "***";
      },
      [&](char c) { out += c; });
  if (hash != std::string::npos) out += rest.substr(hash);
  return out;
}

}  // namespace

std::optional<Url> parse_url(const std::string& text) {
  g_autoptr(GError) err = nullptr;
  g_autoptr(GUri) uri =
      g_uri_parse(text.c_str(), static_cast<GUriFlags>(G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED), &err);
  if (!uri || !g_uri_get_host(uri) || !*g_uri_get_host(uri)) return std::nullopt;
  Url u;
  u.scheme = g_uri_get_scheme(uri);
  u.host = g_uri_get_host(uri);
  u.port = g_uri_get_port(uri);
  if (const char* user = g_uri_get_user(uri)) u.user = unescaped(user);
  if (const char* pw = g_uri_get_password(uri)) u.password = unescaped(pw);
  // Rebuilt without user and password, so what is kept and shown has none.
  g_autoptr(GUri) bare =
      g_uri_build(static_cast<GUriFlags>(G_URI_FLAGS_ENCODED), g_uri_get_scheme(uri), nullptr, g_uri_get_host(uri),
                  g_uri_get_port(uri), g_uri_get_path(uri), g_uri_get_query(uri), g_uri_get_fragment(uri));
  g_autofree gchar* bare_text = g_uri_to_string(bare);
  u.bare = bare_text;
  return u;
}

bool url_has_password(const std::string& text) {
  const auto url = parse_url(text);
  if (url) return !url->password.empty();
  // Unparseable: still refuse anything shaped like user:password@ before the path.
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return false;
  const std::string authority = text.substr(scheme_end + 3, text.find_first_of("/?#", scheme_end + 3) - scheme_end - 3);
  const auto at = authority.rfind('@');
  return at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos;
}

std::string redact_url(const std::string& url, const std::string& user) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const std::size_t authority = scheme_end + 3;
  const std::size_t path = url.find_first_of("/?#", authority);
  const std::string host_part = url.substr(authority, path == std::string::npos ? std::string::npos : path - authority);
  const auto at = host_part.rfind('@');
  std::string shown_user;
  if (!user.empty()) {
    g_autofree gchar* escaped = g_uri_escape_string(user.c_str(), G_URI_RESERVED_CHARS_SUBCOMPONENT_DELIMITERS, FALSE);
    shown_user = escaped;
  } else if (at != std::string::npos) {
    // The URL names a user of its own: keep the name, never its password.
    const std::string userinfo = host_part.substr(0, at);
    shown_user = userinfo.substr(0, userinfo.find(':'));
  }
  const std::string bare_host = at == std::string::npos ? host_part : host_part.substr(at + 1);
  std::string out = url.substr(0, authority);
  if (!shown_user.empty()) out += shown_user + ":***@";
  out += bare_host;
  if (path != std::string::npos) out += redact_query(url.substr(path));
  return out;
}

std::vector<std::string> query_secrets(const std::string& url) {
  std::vector<std::string> secrets;
  const auto scheme_end = url.find("://");
  const auto path = url.find_first_of("/?#", scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (path == std::string::npos) return secrets;
  for_each_query_pair(
      url.substr(path),
      [&](const std::string& pair) {
        std::string v = secret_value(pair);
        if (!v.empty()) {
          secrets.push_back(unescaped(v.c_str()));
          if (secrets.back() != v) secrets.push_back(v);
        }
      },
      [](char) {});
  return secrets;
}

std::string scrub_secret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  replace_all(text, secret);
  // Library messages often quote the URL, where the password is escaped.
  g_autofree gchar* escaped = g_uri_escape_string(secret.c_str(), nullptr, FALSE);
  if (escaped && secret != escaped) replace_all(text, escaped);
  return text;
}

}  // namespace focusmeter::cli
