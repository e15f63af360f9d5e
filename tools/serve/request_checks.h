// Pure checks on request headers, kept apart from the libsoup glue so they
// are unit-tested directly.
#pragma once

#include <string>

namespace focusmeter::serve {

// True when `authorization` (the header value, may be null) is
// "Bearer <token>" with exactly `token`. The comparison takes the same time
// wherever the first difference is, so the token cannot be guessed a byte
// at a time from response times.
bool bearer_token_matches(const char* authorization, const std::string& token);

// True for "image/..." media types (parameters allowed) and
// application/octet-stream; false for a missing type.
bool is_image_content_type(const char* content_type);

// Reads a token file: the first line, surrounding white space trimmed.
// False with a one-line `error` (which never contains the token).
bool read_token_file(const std::string& path, std::string& token, std::string& error);

}  // namespace focusmeter::serve
