// Where `focusmeter serve` listens: parsing "HOST:PORT" and deciding whether
// an address is loopback (the service refuses anything else unless told).
#pragma once

#include <cstdint>
#include <string>

namespace focusmeter::serve {

struct ListenAddress {
  std::string host;        // an IP literal, without brackets ("127.0.0.1", "::1")
  std::uint16_t port = 0;  // 0 = let the kernel choose
};

// Parses "127.0.0.1:8080", "[::1]:8080", "localhost:8080" or ":8080"
// (loopback). The host must be an IP literal or "localhost" (no DNS look-up
// in a service that promises loopback). False with a one-line `error`.
bool parse_listen_address(const std::string& text, ListenAddress& out, std::string& error);

// True for 127.0.0.0/8 and ::1 (and IPv4-mapped ::ffff:127.x.y.z).
bool is_loopback(const std::string& host);

// "http://127.0.0.1:8080" or "http://[::1]:8080".
std::string base_url(const std::string& host, std::uint16_t port);

}  // namespace focusmeter::serve
