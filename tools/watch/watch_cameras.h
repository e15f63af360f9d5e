// The cameras a watch checks: scan's targets (addresses, URLs, --targets,
// --cameras) expanded one camera each, with the per-camera watch settings a
// JSON camera list may add to scan's fields:
//
//   every       check interval: seconds, or "90s", "5m", "1h" (default --every)
//   threshold   the absolute model threshold for this camera (default --threshold)
//   drift       the relative focus drop that means BLURRY (drift) (default --drift)
//   reference   "auto" (learn from the first healthy checks, default) or
//               "manual" (only `watch reference set`)
//   transport   scan's field: auto, tcp, udp or http
//   roi         scan's field: [x, y, w, h], the region of the picture judged
//
// (A CSV camera list has scan's columns only; per-camera watch settings
// need the JSON form.) Every camera has a stable identity and a display
// name (scan/camera_identity.h, the same as scan's metrics labels): the
// identity keys its state, its alerts, its metrics and its shard.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scan/targets.h"
#include "watch/reference.h"

namespace focusmeter::watch {

// "300", "300s", "5m", "1.5h": seconds; nullopt for anything else or <= 0.
std::optional<double> parse_duration(const std::string& text);

// The watch fields of one camera-list entry; absent = the command's default.
struct WatchFields {
  std::optional<double> every_s;
  std::optional<double> threshold;
  std::optional<double> drift;
  ReferenceMode reference = ReferenceMode::Auto;
};

// The watch fields of every entry of a JSON camera list, in the order
// scan::read_cameras_file returns them; all defaults for a CSV list.
// Throws scan::TargetError naming the entry.
std::vector<WatchFields> read_watch_fields(const std::string& path);

struct WatchCamera {
  scan::Target target;  // its spec points into the caller's spec list
  std::string identity;
  std::string name;
  WatchFields fields;
  std::int64_t camera_id = 0;  // in the state store, once registered
};

// One WatchCamera per target the specs expand to. `fields[i]` belongs to
// `specs[i]` (missing entries: defaults). Throws scan::TargetError when two
// targets share an identity (the same camera listed twice).
std::vector<WatchCamera> expand_cameras(const std::vector<scan::TargetSpec>& specs,
                                        const std::vector<WatchFields>& fields, const std::vector<int>& channels,
                                        int default_port);

}  // namespace focusmeter::watch
