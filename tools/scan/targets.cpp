#include "scan/targets.h"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "cli/url.h"
#include "nlohmann/json.hpp"

namespace focusmeter::scan {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Looks like an attempt at an IPv4 address (digits and dots only).
bool numeric_dotted(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) || c == '.'; });
}

// RFC 1123 host name: labels of letters, digits and hyphens.
bool valid_host_name(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  std::string label;
  std::istringstream in(s);
  std::size_t labels = 0;
  while (std::getline(in, label, '.')) {
    ++labels;
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label)
      if (!std::isalnum(c) && c != '-') return false;
  }
  return labels > 0 && s.back() != '.';
}

// Reads at most `limit` bytes; a longer input (a log file by mistake,
// /dev/zero) is refused as soon as the limit is passed, never read whole.
std::string read_bounded(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TargetError("cannot read " + path);
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limit)
      throw TargetError(path + ": larger than " + std::to_string(limit >> 20) + " MiB; not a targets or camera list");
  }
  return text;
}

// Calls `line_fn(line, number)` for each line of `path`, reading it in
// bounded pieces: a line over kMaxLineBytes or a file over kMaxFileBytes
// stops the read at once with a reason.
template <typename LineFn>
void for_each_bounded_line(const std::string& path, LineFn line_fn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TargetError("cannot read " + path);
  std::string line;
  std::size_t total = 0;
  int number = 1;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    const std::size_t got = static_cast<std::size_t>(in.gcount());
    total += got;
    if (total > kMaxFileBytes)
      throw TargetError(path + ": larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB; not a targets file");
    for (std::size_t i = 0; i < got; ++i) {
      if (buf[i] == '\n') {
        line_fn(line, number++);
        line.clear();
      } else if (line.size() >= kMaxLineBytes) {
        throw TargetError(path + ":" + std::to_string(number) + ": line longer than " + std::to_string(kMaxLineBytes) +
                          " bytes; not a targets file");
      } else {
        line += buf[i];
      }
    }
  }
  if (!line.empty()) line_fn(line, number);
}

TargetSpec parse_url(const std::string& text) {
  const std::optional<cli::Url> url = cli::parse_url(text);
  // Never echo the text: it may hold a password.
  if (!url) throw TargetError("malformed rtsp:// URL (expected rtsp://host[:port]/path)");
  TargetSpec t;
  t.kind = TargetSpec::Kind::Url;
  t.host = url->host;
  // The URL's own port, else the scheme's: --port is for addresses only.
  t.port = url->port > 0 ? url->port : (g_ascii_strcasecmp(url->scheme.c_str(), "rtsps") ? 554 : 322);
  t.user = url->user;
  t.password = url->password;
  // The URL kept and shown carries no credentials at all.
  t.url = url->bare;
  t.given = t.url;
  return t;
}

}  // namespace

namespace {

struct Block {
  std::uint32_t first, last;
  const char* name;
};
constexpr Block kNeverProbed[] = {
    {0x00000000u, 0x00FFFFFFu, "0.0.0.0/8 (\"this network\")"},
    {0xE0000000u, 0xEFFFFFFFu, "multicast (224.0.0.0/4)"},
    {0xF0000000u, 0xFFFFFFFFu, "reserved or broadcast (240.0.0.0/4)"},
};

// The never-probed block holding `address`, or nullptr.
const Block* blocked(std::uint32_t address) {
  for (const auto& b : kNeverProbed)
    if (address >= b.first && address <= b.last) return &b;
  return nullptr;
}

}  // namespace

const char* never_probed(std::uint32_t address) {
  const Block* b = blocked(address);
  return b ? b->name : nullptr;
}

std::uint64_t TargetSpec::probed_count() const {
  if (kind != Kind::Range) return 1;
  if (first > last) return 0;
  std::uint64_t n = count();
  for (const auto& b : kNeverProbed) {
    const std::uint64_t lo = std::max(first, b.first), hi = std::min(last, b.last);
    if (lo <= hi) n -= hi - lo + 1;
  }
  return n;
}

void enforce_range_limits(const std::vector<TargetSpec>& specs, bool allow_large) {
  if (allow_large) return;
  std::uint64_t total = 0;
  for (const auto& s : specs) {
    const std::uint64_t n = s.probed_count();
    if (n > kMaxRangeAddresses)
      throw TargetError("'" + s.given + "' covers " + std::to_string(n) +
                        " addresses, more than a /16 (65536); a typo? give --allow-large-range if you mean it");
    total += n;
  }
  if (total > kMaxRangeAddresses)
    throw TargetError("the targets cover " + std::to_string(total) +
                      " addresses, more than a /16 (65536); give --allow-large-range if you mean it");
}

std::string redact_userinfo(const std::string& text) {
  // "user:secret@" anywhere (with or without a scheme) -> "user:***@".
  // G_REGEX_RAW: the text is whatever bytes a targets file held, and GLib's
  // regex (PCRE2, JIT) reads invalid UTF-8 out of bounds unless told it is
  // bytes (found by make fuzz: tests/fuzz/corpus/targets/crash-*).
  static const GRegex* const userinfo =
      g_regex_new("([^\\s/:@]+):[^\\s@/]*@", static_cast<GRegexCompileFlags>(G_REGEX_OPTIMIZE | G_REGEX_RAW),
                  G_REGEX_MATCH_DEFAULT, nullptr);
  g_autofree gchar* out = g_regex_replace(userinfo, text.c_str(), -1, 0, "\\1:***@", G_REGEX_MATCH_DEFAULT, nullptr);
  return out ? out : "(unprintable input)";
}

std::optional<std::uint32_t> parse_ipv4(const std::string& text) {
  std::uint32_t address = 0;
  std::size_t start = 0;
  for (int octet = 0; octet < 4; ++octet) {
    const std::size_t dot = text.find('.', start);
    if ((octet < 3) != (dot != std::string::npos)) return std::nullopt;
    const std::string part = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!all_digits(part) || part.size() > 3) return std::nullopt;
    const int v = std::stoi(part);
    if (v > 255) return std::nullopt;
    address = (address << 8) | static_cast<std::uint32_t>(v);
    start = dot + 1;
  }
  return address;
}

std::string format_ipv4(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) + "." +
         std::to_string(a & 255);
}

TargetSpec parse_target(const std::string& raw) {
  const std::string text = trim(raw);
  // What error messages echo: never a password the input may carry.
  const std::string shown = redact_userinfo(text);
  if (text.empty()) throw TargetError("empty target");
  const std::string lower = [&] {
    std::string l = text.substr(0, 8);
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
    return l;
  }();
  if (lower.rfind("rtsp://", 0) == 0 || lower.rfind("rtsps://", 0) == 0) return parse_url(text);
  if (text.find("://") != std::string::npos) throw TargetError("only rtsp:// URLs can be scanned");

  TargetSpec t;
  t.given = text;
  t.kind = TargetSpec::Kind::Range;

  if (const auto slash = text.find('/'); slash != std::string::npos) {
    const auto base = parse_ipv4(text.substr(0, slash));
    const std::string bits_text = text.substr(slash + 1);
    if (!base) throw TargetError("'" + shown + "': not an IPv4 CIDR block (expected e.g. 10.0.0.0/24)");
    if (!all_digits(bits_text) || bits_text.size() > 2 || std::stoi(bits_text) > 32)
      throw TargetError("'" + shown + "': CIDR prefix length must be 0-32");
    const int bits = std::stoi(bits_text);
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t(0) << (32 - bits);
    t.first = *base & mask;
    t.last = t.first | ~mask;
    if (bits <= 30) {  // skip network and broadcast addresses
      ++t.first;
      --t.last;
    }
    if (t.probed_count() == 0) throw TargetError("'" + shown + "': only addresses that are never probed");
    return t;
  }

  if (const auto dash = text.find('-'); dash != std::string::npos && numeric_dotted(text.substr(0, dash))) {
    const auto first = parse_ipv4(text.substr(0, dash));
    const std::string end_text = text.substr(dash + 1);
    if (!first) throw TargetError("'" + shown + "': range start is not an IPv4 address");
    std::optional<std::uint32_t> last;
    if (all_digits(end_text) && end_text.size() <= 3 && std::stoi(end_text) <= 255)
      last = (*first & 0xFFFFFF00u) | static_cast<std::uint32_t>(std::stoi(end_text));  // short form
    else
      last = parse_ipv4(end_text);
    if (!last) throw TargetError("'" + shown + "': range end must be an IPv4 address or a last octet (0-255)");
    if (*last < *first) throw TargetError("'" + shown + "': range end comes before its start");
    t.first = *first;
    t.last = *last;
    if (t.probed_count() == 0) throw TargetError("'" + shown + "': only addresses that are never probed");
    return t;
  }

  if (const auto a = parse_ipv4(text)) {
    if (const char* block = never_probed(*a)) throw TargetError("'" + shown + "': in " + block + ", never probed");
    t.first = t.last = *a;
    t.host = format_ipv4(*a);
    return t;
  }
  if (numeric_dotted(text)) throw TargetError("'" + shown + "': not a valid IPv4 address");
  if (!valid_host_name(text)) throw TargetError("'" + shown + "': not an address, range, CIDR block, host name or URL");
  t.kind = TargetSpec::Kind::Host;
  t.host = text;
  return t;
}

std::vector<TargetSpec> read_targets_file(const std::string& path) {
  std::vector<TargetSpec> specs;
  for_each_bounded_line(path, [&](const std::string& line, int n) {
    const std::string text = trim(line.substr(0, line.find('#')));
    if (text.empty()) return;
    if (specs.size() >= kMaxTargetLines)
      throw TargetError(path + ":" + std::to_string(n) + ": more than " + std::to_string(kMaxTargetLines) +
                        " targets; use ranges or CIDR blocks");
    try {
      specs.push_back(parse_target(text));
    } catch (const TargetError& e) {
      throw TargetError(path + ":" + std::to_string(n) + ": " + e.what());
    }
  });
  return specs;
}

namespace {

// Builds a spec from one camera entry's fields (already strings).
TargetSpec camera_spec(const std::string& name, const std::string& host, const std::string& url,
                       const std::string& port, const std::string& brand, const std::string& user,
                       const std::string& password_file, const std::string& password_env,
                       const std::string& transport, const std::string& allow_basic_auth,
                       const std::string& onvif_port) {
  if (host.empty() == url.empty()) throw TargetError("needs exactly one of 'host' or 'url'");
  TargetSpec t = parse_target(url.empty() ? host : url);
  if (t.is_range()) throw TargetError("'host' must be one camera, not a range");
  if (!port.empty() && t.kind == TargetSpec::Kind::Url) throw TargetError("give the port inside 'url', not in 'port'");
  if (!port.empty()) {
    if (!all_digits(port) || port.size() > 5 || std::stoi(port) < 1 || std::stoi(port) > 65535)
      throw TargetError("'port' must be 1-65535");
    t.port = std::stoi(port);
  }
  t.name = name;
  t.brand = brand;
  if (!user.empty()) t.user = user;
  t.password_ref = {password_file, password_env};
  if (!transport.empty() && transport != "auto" && transport != "tcp" && transport != "udp" && transport != "http")
    throw TargetError("'transport' must be auto, tcp, udp or http");
  t.transport = transport;
  if (!onvif_port.empty()) {
    if (!all_digits(onvif_port) || onvif_port.size() > 5 || std::stoi(onvif_port) < 1 || std::stoi(onvif_port) > 65535)
      throw TargetError("'onvif_port' must be 1-65535");
    t.onvif_port = std::stoi(onvif_port);
  }
  if (!allow_basic_auth.empty()) {
    if (allow_basic_auth == "true" || allow_basic_auth == "1" || allow_basic_auth == "yes")
      t.allow_basic_auth = true;
    else if (allow_basic_auth == "false" || allow_basic_auth == "0" || allow_basic_auth == "no")
      t.allow_basic_auth = false;
    else
      throw TargetError("'allow_basic_auth' must be true or false");
  }
  if (!name.empty()) t.given = name;
  return t;
}

std::string json_field(const nlohmann::json& e, const char* key) {
  if (!e.contains(key) || e[key].is_null()) return {};
  if (e[key].is_string()) return e[key].get<std::string>();
  if (e[key].is_number_integer()) return std::to_string(e[key].get<long long>());
  if (e[key].is_boolean()) return e[key].get<bool>() ? "true" : "false";
  throw TargetError(std::string("field '") + key + "' must be a string");
}

// "roi": [x, y, w, h]: whole pixels, x and y from 0, w and h at least 16
// (a smaller region is more likely a typo than a choice, and leaves the
// features a handful of pixels), all below 65536. Clipping to the picture
// is the element's (the scan says when it happened).
std::optional<std::array<int, 4>> roi_field(const nlohmann::json& e) {
  if (!e.contains("roi") || e["roi"].is_null()) return std::nullopt;
  const auto& v = e["roi"];
  const char* rule = "'roi' must be [x, y, w, h]: whole pixels, x and y from 0, w and h from 16, all below 65536";
  if (!v.is_array() || v.size() != 4) throw TargetError(rule);
  std::array<int, 4> roi{};
  for (std::size_t i = 0; i < 4; ++i) {
    if (!v[i].is_number_integer()) throw TargetError(rule);
    const long long n = v[i].get<long long>();
    if (n < (i < 2 ? 0 : 16) || n >= 65536) throw TargetError(rule);
    roi[i] = static_cast<int>(n);
  }
  return roi;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  // Plain CSV: commas, optional double quotes around a field ("" inside).
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) throw TargetError("unterminated quote");
  for (auto& f : fields) f = trim(f);
  return fields;
}

}  // namespace

std::vector<TargetSpec> parse_cameras_json(const std::string& text, const std::string& origin) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw TargetError(origin + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {  // e.g. 1e400: out_of_range "number overflow"
    const std::string what = e.what();
    throw TargetError(origin + ": not valid JSON (" + what.substr(what.find("] ") + 2) + ")");
  }
  if (doc.is_object() && doc.contains("cameras")) doc = doc["cameras"];
  if (!doc.is_array()) throw TargetError(origin + ": expected an array of cameras or {\"cameras\": [...]}");
  std::vector<TargetSpec> specs;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const auto& e = doc[i];
    try {
      if (!e.is_object()) throw TargetError("not an object");
      specs.push_back(camera_spec(json_field(e, "name"), json_field(e, "host"), json_field(e, "url"),
                                  json_field(e, "port"), json_field(e, "brand"), json_field(e, "user"),
                                  json_field(e, "password_file"), json_field(e, "password_env"),
                                  json_field(e, "transport"), json_field(e, "allow_basic_auth"),
                                  json_field(e, "onvif_port")));
      specs.back().roi = roi_field(e);
    } catch (const TargetError& err) {
      throw TargetError(origin + ": camera " + std::to_string(i + 1) + ": " + err.what());
    }
  }
  return specs;
}

std::vector<TargetSpec> parse_cameras_csv(const std::string& text, const std::string& origin) {
  static const char* const kColumns[] = {"name",          "host",         "url",       "port",
                                         "brand",         "user",         "password_file",
                                         "password_env",  "transport",    "allow_basic_auth",
                                         "onvif_port"};
  std::istringstream in(text);
  std::string line;
  std::vector<int> column_of(std::size(kColumns), -1);
  std::vector<TargetSpec> specs;
  bool header = true;
  for (int n = 1; std::getline(in, line); ++n) {
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    try {
      const auto fields = split_csv_line(line);
      if (header) {
        for (std::size_t f = 0; f < fields.size(); ++f) {
          const auto it = std::find(std::begin(kColumns), std::end(kColumns), fields[f]);
          if (it == std::end(kColumns)) throw TargetError("unknown column '" + fields[f] + "'");
          column_of[it - std::begin(kColumns)] = static_cast<int>(f);
        }
        header = false;
        continue;
      }
      auto get = [&](int c) {
        const int f = column_of[c];
        return f >= 0 && f < static_cast<int>(fields.size()) ? fields[f] : std::string();
      };
      specs.push_back(
          camera_spec(get(0), get(1), get(2), get(3), get(4), get(5), get(6), get(7), get(8), get(9), get(10)));
    } catch (const TargetError& err) {
      throw TargetError(origin + ":" + std::to_string(n) + ": " + err.what());
    }
  }
  if (header) throw TargetError(origin + ": empty camera list (a CSV needs a header row)");
  return specs;
}

std::vector<TargetSpec> read_cameras_file(const std::string& path) {
  const std::string text = read_bounded(path, kMaxFileBytes);
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && (text[start] == '[' || text[start] == '{')) return parse_cameras_json(text, path);
  return parse_cameras_csv(text, path);
}

std::optional<Target> TargetCursor::next() {
  while (spec_ < specs_.size()) {
    const TargetSpec& s = specs_[spec_];
    if (s.kind == TargetSpec::Kind::Range && s.first > s.last) {  // e.g. an empty /31-like block
      ++spec_;
      continue;
    }
    if (s.kind == TargetSpec::Kind::Range)  // jump over never-probed blocks at once
      while (offset_ < s.count()) {
        const Block* b = blocked(static_cast<std::uint32_t>(s.first + offset_));
        if (!b) break;
        offset_ = std::uint64_t(b->last) + 1 - s.first;
      }
    if (offset_ < s.count()) {
      Target t;
      t.index = index_++;
      t.spec = &s;
      t.from_range = s.is_range();
      t.host = s.kind == TargetSpec::Kind::Range ? format_ipv4(static_cast<std::uint32_t>(s.first + offset_)) : s.host;
      if (channels_of(s) > 1 || (!channels_.empty() && s.kind != TargetSpec::Kind::Url))
        t.channel = channels_[channel_];
      if (++channel_ >= channels_of(s)) {
        channel_ = 0;
        ++offset_;
      }
      return t;
    }
    ++spec_;
    offset_ = 0;
    channel_ = 0;
  }
  return std::nullopt;
}

std::uint64_t TargetCursor::total() const {
  std::uint64_t n = 0;
  for (const auto& s : specs_) n += s.probed_count() * channels_of(s);
  return n;
}

}  // namespace focusmeter::scan
