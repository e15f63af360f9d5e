// The few ONVIF SOAP messages focusmeter speaks, built and read without any
// network: the WS-Security UsernameToken (PasswordDigest), the Device
// GetCapabilities, Media GetProfiles and GetStreamUri requests, the
// WS-Discovery Probe, and the parsers for their answers (libxml2; elements
// matched by local name, so any namespace prefix a device uses is fine).
//
// Why hand-written (docs/scan.md): Debian's libonvif is GPL-2+ (focusmeter
// is LGPL), keeps everything in fixed 128-byte buffers and only discovers by
// multicast; gSOAP is GPL too and generates thousands of lines from the
// whole ONVIF WSDL set for three calls. libsoup 3 + libxml2 do it in a few
// hundred lines we can test.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace focusmeter::scan::onvif {

// WS-UsernameToken PasswordDigest = Base64(SHA-1(nonce + created + password)),
// with the raw nonce bytes; the password itself never leaves the process.
std::string password_digest(const std::string& nonce, const std::string& created, const std::string& password);

// A SOAP 1.2 envelope around `body`, with a UsernameToken header when `user`
// is not empty (fresh 16-byte nonce, created = now in UTC).
std::string envelope(const std::string& body, const std::string& user, const std::string& password);

// Request bodies.
std::string get_capabilities_body();
std::string get_profiles_body();
std::string get_stream_uri_body(const std::string& profile_token);
// A WS-Discovery Probe for NetworkVideoTransmitter, with its MessageID.
std::string probe_message(const std::string& message_id);

// What a reply said.
struct Reply {
  bool xml = false;             // it parsed as XML at all
  bool fault = false;           // a SOAP Fault
  bool not_authorized = false;  // the fault says the credentials were refused
  std::string fault_reason;     // its text, one line, when fault
};
Reply read_reply(const std::string& text);

// GetCapabilities: the Media service's XAddr; "" when absent.
std::string media_xaddr(const std::string& text);
// GetProfiles: the profile tokens in order.
std::vector<std::string> profile_tokens(const std::string& text);
// GetStreamUri: the MediaUri's Uri; "" when absent.
std::string stream_uri(const std::string& text);

// One device in a WS-Discovery ProbeMatch.
struct ProbeMatch {
  std::string address;  // endpoint reference (urn:uuid:...)
  std::vector<std::string> xaddrs;
  std::string name;      // from the onvif://www.onvif.org/name/ scope, unescaped
  std::string hardware;  // from .../hardware/
};
std::vector<ProbeMatch> probe_matches(const std::string& text);

}  // namespace focusmeter::scan::onvif
