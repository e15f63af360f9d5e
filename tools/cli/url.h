// Stream URLs that may carry credentials: parsing them apart, and showing
// them without the password. Every command that prints, logs or names a
// file after a URL goes through redact_url (or keeps only Url::bare), and
// scrubs the password out of messages it did not write itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace focusmeter::cli {

struct Url {
  std::string scheme;    // as written, e.g. "rtsp"
  std::string host;      // without brackets for IPv6
  int port = -1;         // -1: not in the URL
  std::string user;      // unescaped; "" when none
  std::string password;  // unescaped; "" when none
  std::string bare;      // the URL without user and password
};

// Parses `text` as an absolute URL with a host; nullopt when it is not one.
// Callers must not echo `text` in their error: it may hold a password.
std::optional<Url> parse_url(const std::string& text);

// True when `text` is a URL whose user part carries a password
// (scheme://user:password@host/...).
bool url_has_password(const std::string& text);

// rtsp://host/... -> rtsp://user:***@host/... when a user is given (and
// strips any credentials the URL itself carries). Secret query values
// (password, passwd, pwd, pass, pw, token, access_token, auth, secret, key;
// any case) become ***: ?user=admin&password=x -> ?user=admin&password=***.
std::string redact_url(const std::string& url, const std::string& user);

// The secret query values of `url` (as written and unescaped), for
// scrubbing them out of library messages that quote the URL.
std::vector<std::string> query_secrets(const std::string& url);

// Replaces every occurrence of `secret` (and of its URL-escaped form) in
// `text` with "***", for one-line reasons built from library messages. Even
// a one-character secret is scrubbed: a mangled reason beats a leaked one.
std::string scrub_secret(std::string text, const std::string& secret);

}  // namespace focusmeter::cli
