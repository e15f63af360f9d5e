// Who a camera is, for everything that must recognise it from run to run and
// from machine to machine: watch's state and alerts, the `camera` label of
// the Prometheus gauges of watch and scan, and the shard (--shard K/N) that
// checks it. Pure (no network): derived from the target as given, never
// from what the camera answered (the route that worked may change from one
// scan to the next; the identity must not).
#pragma once

#include <string>

#include "scan/targets.h"

namespace focusmeter::scan {

// The canonical form of a camera's URL or name: for a URL, scheme and host
// lower-cased, user and password dropped, the scheme's default port (rtsp
// 554, rtsps 322, http 80, https 443) dropped, path and query kept as
// written; anything else (a camera name) with surrounding white space
// trimmed.
std::string canonical_camera_identity(const std::string& camera);

struct CameraKey {
  // Unique per camera, never a password: for a URL target its canonical
  // URL; for an address or host name rtsp://host[:port] (port from the
  // camera list, else `default_port`), plus "#channel=N" for an NVR
  // channel (--channels).
  std::string identity;
  // What people call it: the camera list's name, else the address (range
  // members, hosts) or the URL as given (without credentials); "-chN"
  // appended for a channel. Any user:password@ in it is written user:***@.
  std::string name;
};

CameraKey camera_key(const Target& target, int default_port);

}  // namespace focusmeter::scan
