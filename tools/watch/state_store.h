// The persistent state of `focusmeter watch` (issue 14): cameras, their
// reference views, every check, incidents and the debounce counters, in one
// SQLite file.
//
// Contract:
// - Opening creates the file when missing, switches it to WAL, enables
//   foreign keys and brings the schema up to kSchemaVersion, one migration
//   per version, each in its own transaction with PRAGMA user_version bumped
//   inside it (a crash mid-migration leaves the previous version intact). A
//   file with a newer version than this build knows is refused.
// - Every write is one transaction. Several writes that belong together (a
//   check, the debounce counters it moved, the incident it opened) go in one
//   Batch: all of them or none of them survive a crash or SIGKILL.
// - Values are always bound to prepared statements, never spliced into SQL.
// - A camera URL or identity that carries a password is refused: the store
//   never holds one (passwords stay in the credentials file).
// - Any SQLite failure throws StoreError (a one-line message); the write in
//   progress is rolled back. Readers see only committed data.
// - Times are Unix seconds (fractional), UTC.
// - One StateStore per thread; other processes (a report) may read the same
//   file concurrently (WAL; writers wait up to 5 s for the lock).
//
// Durability: synchronous=NORMAL in WAL mode survives a killed process
// (committed transactions are in the WAL); a power cut may lose the last
// commits but never corrupts the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "watch/sqlite_handle.h"

namespace focusmeter::watch {

using StoreError = SqliteError;
using UnixTime = double;

struct CameraRecord {
  std::int64_t id = 0;               // assigned by the store
  std::string identity;              // canonical identity (scan/camera_identity.h), unique
  std::string name;                  // display name
  std::string url;                   // without user or password
  std::string settings_json = "{}";  // per-camera settings (interval, ROI, ...)
};

enum class LightMode { Day, Night };
const char* light_mode_name(LightMode m);  // "day", "night"
std::optional<LightMode> parse_light_mode(const std::string& s);

struct ReferenceRecord {
  std::int64_t id = 0;
  std::int64_t camera_id = 0;
  LightMode mode = LightMode::Day;
  std::string features_json;  // summary of the reference frames' features
  std::string map_json;       // the reference tile map
  std::string snapshot;       // path of the reference frame; "" when none
  UnixTime created = 0;
  std::optional<std::int64_t> source_check_id;  // the check it was taken from
};

struct CheckRecord {
  std::int64_t id = 0;
  std::int64_t camera_id = 0;
  UnixTime time = 0;
  std::string status;                  // e.g. "ok", "unreachable"
  std::optional<std::string> verdict;  // absent when none was given
  std::optional<double> score;
  std::string features_json = "{}";
  std::optional<std::string> map_json;
  std::optional<std::string> snapshot;
};

struct IncidentRecord {
  std::int64_t id = 0;
  std::int64_t camera_id = 0;
  std::string kind;  // incident_tracker.h's incident_kind_name
  UnixTime opened_at = 0;
  std::optional<UnixTime> closed_at;  // absent while open
  std::int64_t open_check_id = 0;
  std::optional<std::int64_t> close_check_id;
};

// The debounce counter of one (camera, incident kind): consecutive bad
// checks while no incident is open, consecutive good ones while one is.
struct DebounceRecord {
  std::int64_t camera_id = 0;
  std::string kind;
  int streak = 0;
};

class StateStore {
 public:
  static constexpr int kSchemaVersion = 2;

  explicit StateStore(const std::string& path);
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // For migration tests: creates `path` holding the schema at `version`
  // (1..kSchemaVersion) exactly as that version wrote it, and no data.
  static void create_at_version(const std::string& path, int version);

  int schema_version();
  std::string journal_mode();
  // "ok", or SQLite's list of problems.
  std::string integrity_check();

  // Groups writes into one transaction: commit() makes them durable; leaving
  // scope without commit() (an exception, a return) discards all of them.
  // Only one Batch at a time per store; writes made while it is live join it.
  class Batch {
   public:
    explicit Batch(StateStore& store);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    void commit();

   private:
    StateStore& store_;
    SqliteTransaction tx_;
  };

  // Inserts the camera, or updates name, url and settings of the one with
  // the same identity. Returns its id. Throws when the URL or the identity
  // has a password.
  std::int64_t upsert_camera(const CameraRecord& c);
  std::optional<CameraRecord> camera(const std::string& identity);
  std::vector<CameraRecord> cameras();  // by id

  std::int64_t add_reference(const ReferenceRecord& r);
  // The newest reference of that camera and mode.
  std::optional<ReferenceRecord> current_reference(std::int64_t camera_id, LightMode mode);

  std::int64_t add_check(const CheckRecord& c);
  std::optional<CheckRecord> check(std::int64_t id);
  // The camera's checks with time >= since, oldest first.
  std::vector<CheckRecord> checks(std::int64_t camera_id, UnixTime since = 0);

  // Throws when an incident of that kind is already open for the camera.
  std::int64_t open_incident(std::int64_t camera_id, const std::string& kind, UnixTime opened_at,
                             std::int64_t open_check_id);
  // Throws when the incident does not exist or is already closed.
  void close_incident(std::int64_t incident_id, UnixTime closed_at, std::int64_t close_check_id);
  std::vector<IncidentRecord> open_incidents(std::int64_t camera_id);
  std::vector<IncidentRecord> incidents(std::int64_t camera_id);  // oldest first

  void save_debounce(std::int64_t camera_id, const std::string& kind, int streak);
  std::vector<DebounceRecord> debounce(std::int64_t camera_id);

 private:
  // BEGIN IMMEDIATE unless a Batch is live; commits in finish().
  class WriteScope;
  void migrate();

  SqliteDb db_;
  bool in_batch_ = false;
};

}  // namespace focusmeter::watch
