#include "watch/state_schema.h"

namespace focusmeter::watch {

namespace {

// v1: cameras, their references, checks and incidents.
// "references" is an SQL keyword, hence camera_references.
constexpr const char* kV1 = R"sql(
CREATE TABLE cameras (
  id        INTEGER PRIMARY KEY,
  identity  TEXT NOT NULL UNIQUE,
  name      TEXT NOT NULL DEFAULT '',
  url       TEXT NOT NULL DEFAULT '',
  settings  TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE checks (
  id         INTEGER PRIMARY KEY,
  camera_id  INTEGER NOT NULL REFERENCES cameras(id),
  time       REAL NOT NULL,
  status     TEXT NOT NULL,
  verdict    TEXT,
  score      REAL,
  features   TEXT NOT NULL,
  map        TEXT,
  snapshot   TEXT
);
CREATE INDEX checks_by_camera_time ON checks(camera_id, time);
CREATE TABLE camera_references (
  id               INTEGER PRIMARY KEY,
  camera_id        INTEGER NOT NULL REFERENCES cameras(id),
  mode             TEXT NOT NULL CHECK (mode IN ('day', 'night')),
  features         TEXT NOT NULL,
  map              TEXT NOT NULL,
  snapshot         TEXT NOT NULL DEFAULT '',
  created          REAL NOT NULL,
  source_check_id  INTEGER REFERENCES checks(id)
);
CREATE INDEX references_by_camera_mode ON camera_references(camera_id, mode, created);
CREATE TABLE incidents (
  id              INTEGER PRIMARY KEY,
  camera_id       INTEGER NOT NULL REFERENCES cameras(id),
  kind            TEXT NOT NULL,
  opened_at       REAL NOT NULL,
  closed_at       REAL,
  open_check_id   INTEGER NOT NULL REFERENCES checks(id),
  close_check_id  INTEGER REFERENCES checks(id)
);
CREATE INDEX incidents_by_camera ON incidents(camera_id, opened_at);
)sql";

// v2: the debounce counters persist (a restart resumes a streak instead of
// starting it over), and at most one open incident per camera and kind is
// enforced by the database itself.
constexpr const char* kV2 = R"sql(
CREATE TABLE debounce (
  camera_id  INTEGER NOT NULL REFERENCES cameras(id),
  kind       TEXT NOT NULL,
  streak     INTEGER NOT NULL CHECK (streak >= 0),
  PRIMARY KEY (camera_id, kind)
) WITHOUT ROWID;
CREATE UNIQUE INDEX one_open_incident_per_kind ON incidents(camera_id, kind) WHERE closed_at IS NULL;
)sql";

}  // namespace

const std::vector<const char*>& state_schema_migrations() {
  static const std::vector<const char*> migrations = {kV1, kV2};
  return migrations;
}

}  // namespace focusmeter::watch
