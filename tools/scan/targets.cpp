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

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TargetError("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
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
    if (!base) throw TargetError("'" + text + "': not an IPv4 CIDR block (expected e.g. 10.0.0.0/24)");
    if (!all_digits(bits_text) || bits_text.size() > 2 || std::stoi(bits_text) > 32)
      throw TargetError("'" + text + "': CIDR prefix length must be 0-32");
    const int bits = std::stoi(bits_text);
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t(0) << (32 - bits);
    t.first = *base & mask;
    t.last = t.first | ~mask;
    if (bits <= 30) {  // skip network and broadcast addresses
      ++t.first;
      --t.last;
    }
    return t;
  }

  if (const auto dash = text.find('-'); dash != std::string::npos && numeric_dotted(text.substr(0, dash))) {
    const auto first = parse_ipv4(text.substr(0, dash));
    const std::string end_text = text.substr(dash + 1);
    if (!first) throw TargetError("'" + text + "': range start is not an IPv4 address");
    std::optional<std::uint32_t> last;
    if (all_digits(end_text) && end_text.size() <= 3 && std::stoi(end_text) <= 255)
      last = (*first & 0xFFFFFF00u) | static_cast<std::uint32_t>(std::stoi(end_text));  // short form
    else
      last = parse_ipv4(end_text);
    if (!last) throw TargetError("'" + text + "': range end must be an IPv4 address or a last octet (0-255)");
    if (*last < *first) throw TargetError("'" + text + "': range end comes before its start");
    t.first = *first;
    t.last = *last;
    return t;
  }

  if (const auto a = parse_ipv4(text)) {
    t.first = t.last = *a;
    t.host = format_ipv4(*a);
    return t;
  }
  if (numeric_dotted(text)) throw TargetError("'" + text + "': not a valid IPv4 address");
  if (!valid_host_name(text)) throw TargetError("'" + text + "': not an address, range, CIDR block, host name or URL");
  t.kind = TargetSpec::Kind::Host;
  t.host = text;
  return t;
}

std::vector<TargetSpec> read_targets_file(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<TargetSpec> specs;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string text = trim(line.substr(0, line.find('#')));
    if (text.empty()) continue;
    try {
      specs.push_back(parse_target(text));
    } catch (const TargetError& e) {
      throw TargetError(path + ":" + std::to_string(n) + ": " + e.what());
    }
  }
  return specs;
}

namespace {

// Builds a spec from one camera entry's fields (already strings).
TargetSpec camera_spec(const std::string& name, const std::string& host, const std::string& url,
                       const std::string& port, const std::string& brand, const std::string& user,
                       const std::string& password_file, const std::string& password_env) {
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
  if (!name.empty()) t.given = name;
  return t;
}

std::string json_field(const nlohmann::json& e, const char* key) {
  if (!e.contains(key) || e[key].is_null()) return {};
  if (e[key].is_string()) return e[key].get<std::string>();
  if (e[key].is_number_integer()) return std::to_string(e[key].get<long long>());
  throw TargetError(std::string("field '") + key + "' must be a string");
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
                                  json_field(e, "password_file"), json_field(e, "password_env")));
    } catch (const TargetError& err) {
      throw TargetError(origin + ": camera " + std::to_string(i + 1) + ": " + err.what());
    }
  }
  return specs;
}

std::vector<TargetSpec> parse_cameras_csv(const std::string& text, const std::string& origin) {
  static const char* const kColumns[] = {"name",  "host", "url",           "port",
                                         "brand", "user", "password_file", "password_env"};
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
      specs.push_back(camera_spec(get(0), get(1), get(2), get(3), get(4), get(5), get(6), get(7)));
    } catch (const TargetError& err) {
      throw TargetError(origin + ":" + std::to_string(n) + ": " + err.what());
    }
  }
  if (header) throw TargetError(origin + ": empty camera list (a CSV needs a header row)");
  return specs;
}

std::vector<TargetSpec> read_cameras_file(const std::string& path) {
  const std::string text = read_file(path);
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
    if (offset_ < s.count()) {
      Target t;
      t.index = index_++;
      t.spec = &s;
      t.from_range = s.is_range();
      t.host = s.kind == TargetSpec::Kind::Range ? format_ipv4(static_cast<std::uint32_t>(s.first + offset_)) : s.host;
      ++offset_;
      return t;
    }
    ++spec_;
    offset_ = 0;
  }
  return std::nullopt;
}

std::uint64_t TargetCursor::total() const {
  std::uint64_t n = 0;
  for (const auto& s : specs_)
    if (!(s.kind == TargetSpec::Kind::Range && s.first > s.last)) n += s.count();
  return n;
}

}  // namespace focusmeter::scan
