// What `focusmeter scan` is pointed at: target specs parsed from the command
// line, a targets file or a camera list, and their lazy expansion into one
// camera address at a time (a /8 never becomes a list in memory).
//
// Target syntax (docs/scan.md):
//   10.0.0.7                 one IPv4 address
//   10.0.0.10-10.0.0.60      a dash range, both ends included
//   10.0.0.10-60             the short form: the last octet ranges
//   10.0.0.0/24              a CIDR block; network and broadcast skipped
//                            (except /31 and /32, which have none)
//   cam-3.example.lan        a host name (resolved when probed)
//   rtsp://host[:port]/path  a full stream URL (route given, no discovery)
// Ranges above a /16 need explicit consent (enforce_range_limits); the
// never_probed blocks are skipped in every walk; files are read with limits.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace focusmeter::scan {

// Input bounds: a targets or camera file larger than this, or a line longer,
// is refused with a reason before it is read whole (/dev/zero, a log by
// mistake); a targets file lists at most kMaxTargetLines targets.
constexpr std::size_t kMaxFileBytes = std::size_t(16) << 20;
constexpr std::size_t kMaxLineBytes = 4096;
constexpr std::size_t kMaxTargetLines = 100000;

// The largest range scanned without --allow-large-range: a /16.
constexpr std::uint64_t kMaxRangeAddresses = 65536;

// Bad target syntax or an unreadable/malformed targets or camera file; the
// message is one line that names the culprit.
class TargetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a camera's password comes from; never the password itself.
struct PasswordRef {
  std::string file;  // read the first line of this file
  std::string env;   // or this environment variable
  bool empty() const { return file.empty() && env.empty(); }
};

// One parsed target. Ranges stay ranges until expanded.
struct TargetSpec {
  enum class Kind { Range, Host, Url };
  Kind kind = Kind::Host;
  std::string given;                  // the text as the user wrote it
  std::uint32_t first = 0, last = 0;  // Range: IPv4 addresses, host order
  std::string host;                   // Host: the name; Url: the URL's host
  std::string url;                    // Url: the URL without any user or password
  // From a camera list (or a URL's user part); empty = the global ones.
  std::string name;
  std::string brand;
  std::optional<int> port;
  std::string user;
  std::string password;  // only when a file gave a URL with user:pass@
  PasswordRef password_ref;
  std::string transport;                 // a camera list's "transport"; empty = the global --transport
  std::optional<bool> allow_basic_auth;  // camera list: overrides --allow-basic-auth
  std::optional<int> onvif_port;         // camera list: overrides --onvif-port
  // A JSON camera list's "roi": [x, y, w, h] in pixels, the region of the
  // picture judged (the element's roi-*); absent: the whole picture.
  std::optional<std::array<int, 4>> roi;

  bool is_range() const { return kind == Kind::Range && first != last; }
  // Addresses in the range as written (1 for a host or URL).
  std::uint64_t count() const { return kind == Kind::Range ? std::uint64_t(last) - first + 1 : 1; }
  // Addresses the scan will actually probe (never_probed ones left out).
  std::uint64_t probed_count() const;
};

// Blocks no scan ever sends to, whatever the range: 0.0.0.0/8 ("this
// network"), 224.0.0.0/4 (multicast) and 240.0.0.0/4 (reserved, with the
// limited broadcast 255.255.255.255). Returns the block's name, or nullptr.
const char* never_probed(std::uint32_t address);

// A typo must not scan the internet: refuses (TargetError) any range, and
// any total, above kMaxRangeAddresses unless `allow_large`.
void enforce_range_limits(const std::vector<TargetSpec>& specs, bool allow_large);

// "admin:secret@host" -> "admin:***@host" anywhere in `text`: what every
// echo of user input goes through.
std::string redact_userinfo(const std::string& text);

// One camera to check, the expansion of a spec.
struct Target {
  std::uint64_t index = 0;  // position in the whole expansion, for ordering
  const TargetSpec* spec = nullptr;
  std::string host;         // address or name
  bool from_range = false;  // one address of a multi-address range
  int channel = 0;          // NVR channel (--channels); 0 = none asked (channel 1)
};

// "10.0.0.7" -> host-order address; nullopt if not a dotted quad.
std::optional<std::uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(std::uint32_t address);

// Parses one target; throws TargetError.
TargetSpec parse_target(const std::string& text);

// Reads a targets file: one target per line, '#' starts a comment, blank
// lines ignored. Throws TargetError naming file and line.
std::vector<TargetSpec> read_targets_file(const std::string& path);

// Reads a camera list, JSON (an array, or {"cameras": [...]}) or CSV with a
// header row. Fields: name, host or url, port, brand, user, password_file,
// password_env, transport (auto, tcp, udp or http), allow_basic_auth (true/false), onvif_port;
// JSON only: roi ([x, y, w, h], whole pixels, w and h at least 16).
// Throws TargetError naming file and entry.
std::vector<TargetSpec> read_cameras_file(const std::string& path);
std::vector<TargetSpec> parse_cameras_json(const std::string& text, const std::string& origin);
std::vector<TargetSpec> parse_cameras_csv(const std::string& text, const std::string& origin);

// Walks the specs in order, one Target at a time. Not thread-safe. With
// `channels`, every address or host yields one target per channel (in
// order); a URL is one stream and stays one target.
class TargetCursor {
 public:
  explicit TargetCursor(const std::vector<TargetSpec>& specs, std::vector<int> channels = {})
      : specs_(specs), channels_(std::move(channels)) {}
  std::optional<Target> next();
  std::uint64_t total() const;  // number of targets the walk yields

 private:
  std::size_t channels_of(const TargetSpec& s) const {
    return s.kind == TargetSpec::Kind::Url || channels_.empty() ? 1 : channels_.size();
  }
  const std::vector<TargetSpec>& specs_;
  std::vector<int> channels_;
  std::size_t channel_ = 0;  // within the current address
  std::size_t spec_ = 0;
  std::uint64_t offset_ = 0;  // within the current spec
  std::uint64_t index_ = 0;
};

}  // namespace focusmeter::scan
