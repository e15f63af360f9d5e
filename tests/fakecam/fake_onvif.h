// The ONVIF side of a fake camera: a libsoup server answering the Device
// GetCapabilities and Media GetProfiles / GetStreamUri calls at
// /onvif/device_service and /onvif/media_service, checking the
// WS-UsernameToken PasswordDigest of every call like a real device (a wrong
// or missing token gets a SOAP fault ter:NotAuthorized, HTTP 400), and
// optionally a WS-Discovery responder on UDP answering Probes with a
// ProbeMatch that points at that service. Loopback only, like fakecam.
#pragma once

#include <gio/gio.h>

#include <string>

struct FakeOnvifConfig {
  std::string address;  // 127.x.y.z
  int port = 0;         // HTTP port (0: chosen by the system)
  std::string user;     // "" = no authentication
  std::string password;
  std::string stream_uri;  // what GetStreamUri answers (main profile)
  std::string sub_uri;     // the second profile's
  std::string name;        // the device name in its discovery scopes
};

// Starts the HTTP service on the default main context; returns the bound
// port, or -1 with `error` set. The server lives until the process ends.
int start_fake_onvif(const FakeOnvifConfig& config, std::string& error);

// Starts a WS-Discovery responder on UDP address:port (0: chosen by the
// system) answering every Probe with one ProbeMatch for
// http://address:onvif_port/onvif/device_service. Returns the bound port or -1.
int start_fake_discovery(const FakeOnvifConfig& config, int onvif_port, int port, std::string& error);

// The same responder on the real WS-Discovery group: bound to 0.0.0.0:3702
// and joined to 239.255.255.250 on `lo`. Only for a network namespace that
// has nothing but `lo` (fakecam checks): never answers a real network.
int start_fake_discovery_group(const FakeOnvifConfig& config, int onvif_port, std::string& error);

// True when the only network interface this process sees is `lo` (a fresh
// network namespace).
bool only_loopback_interface();
