// WS-Discovery (SOAP-over-UDP): one Probe for ONVIF NetworkVideoTransmitters,
// sent to the multicast group 239.255.255.250:3702 (TTL 1: the local network
// only) or to one address given, and the ProbeMatches that come back within
// the wait, one device each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace focusmeter::scan {

constexpr const char* kDiscoveryGroup = "239.255.255.250";
constexpr int kDiscoveryPort = 3702;

struct DiscoveredDevice {
  std::string endpoint;  // urn:uuid:... (the device's identity)
  std::string host;      // from its device-service XAddr (IPv4 preferred)
  int onvif_port = 80;   // that XAddr's port
  std::string xaddr;     // the device-service address itself
  std::string name;      // from its scopes, may be ""
  std::string hardware;
};

// Sends the Probe (twice, for UDP loss) to address:port and gathers answers
// for `wait_seconds`. Devices are listed once each, in order of answer.
// Returns false with `error` set when the socket cannot be used.
bool ws_discover(const std::string& address, int port, double wait_seconds, std::vector<DiscoveredDevice>& devices,
                 std::string& error);

// The devices as a camera list `scan --cameras` reads (JSON).
std::string cameras_json(const std::vector<DiscoveredDevice>& devices);

}  // namespace focusmeter::scan
