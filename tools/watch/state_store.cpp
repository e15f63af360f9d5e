#include "watch/state_store.h"

#include <memory>

#include "cli/url.h"
#include "watch/state_schema.h"

namespace focusmeter::watch {

const char* light_mode_name(LightMode m) { return m == LightMode::Night ? "night" : "day"; }

std::optional<LightMode> parse_light_mode(const std::string& s) {
  if (s == "day") return LightMode::Day;
  if (s == "night") return LightMode::Night;
  return std::nullopt;
}

class StateStore::WriteScope {
 public:
  explicit WriteScope(StateStore& s) {
    if (!s.in_batch_) tx_ = std::make_unique<SqliteTransaction>(s.db_);
  }
  void finish() {
    if (tx_) tx_->commit();
  }

 private:
  std::unique_ptr<SqliteTransaction> tx_;
};

// A second Batch while one is live fails in BEGIN ("cannot start a
// transaction within a transaction") before it can touch the first.
StateStore::Batch::Batch(StateStore& store) : store_(store), tx_(store.db_) { store_.in_batch_ = true; }

StateStore::Batch::~Batch() { store_.in_batch_ = false; }

void StateStore::Batch::commit() {
  tx_.commit();
  store_.in_batch_ = false;
}

namespace {

void apply_migration(SqliteDb& db, int to_version) {
  SqliteTransaction tx(db);
  db.exec(state_schema_migrations().at(static_cast<std::size_t>(to_version - 1)));
  // PRAGMA takes no bound parameters; the number is ours, not input.
  db.exec(("PRAGMA user_version = " + std::to_string(to_version)).c_str());
  tx.commit();
}

int read_user_version(const SqliteDb& db) {
  SqliteStatement q(db, "PRAGMA user_version");
  q.step();
  return static_cast<int>(q.int64(0));
}

void configure(SqliteDb& db) {
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
}

CameraRecord read_camera(const SqliteStatement& q) {
  CameraRecord c;
  c.id = q.int64(0);
  c.identity = q.text(1);
  c.name = q.text(2);
  c.url = q.text(3);
  c.settings_json = q.text(4);
  return c;
}

constexpr const char* kCheckColumns = "id, camera_id, time, status, verdict, score, features, map, snapshot";

CheckRecord read_check(const SqliteStatement& q) {
  CheckRecord c;
  c.id = q.int64(0);
  c.camera_id = q.int64(1);
  c.time = q.real(2);
  c.status = q.text(3);
  c.verdict = q.opt_text(4);
  c.score = q.opt_real(5);
  c.features_json = q.text(6);
  c.map_json = q.opt_text(7);
  c.snapshot = q.opt_text(8);
  return c;
}

IncidentRecord read_incident(const SqliteStatement& q) {
  IncidentRecord r;
  r.id = q.int64(0);
  r.camera_id = q.int64(1);
  r.kind = q.text(2);
  r.opened_at = q.real(3);
  r.closed_at = q.opt_real(4);
  r.open_check_id = q.int64(5);
  r.close_check_id = q.opt_int64(6);
  return r;
}

std::vector<IncidentRecord> query_incidents(const SqliteDb& db, const char* sql, std::int64_t camera_id) {
  SqliteStatement q(db, sql);
  q.bind(1, camera_id);
  std::vector<IncidentRecord> out;
  while (q.step()) out.push_back(read_incident(q));
  return out;
}

}  // namespace

StateStore::StateStore(const std::string& path) : db_(path) {
  configure(db_);
  migrate();
}

void StateStore::create_at_version(const std::string& path, int version) {
  if (version < 1 || version > kSchemaVersion)
    throw StoreError("state database: no schema version " + std::to_string(version));
  SqliteDb db(path);
  configure(db);
  if (read_user_version(db) != 0) throw StoreError("state database: " + path + " already has a schema");
  for (int v = 1; v <= version; ++v) apply_migration(db, v);
}

void StateStore::migrate() {
  const int have = read_user_version(db_);
  if (have > kSchemaVersion)
    throw StoreError("state database has schema version " + std::to_string(have) + ", newer than this focusmeter (" +
                     std::to_string(kSchemaVersion) + ")");
  for (int v = have + 1; v <= kSchemaVersion; ++v) apply_migration(db_, v);
}

int StateStore::schema_version() { return read_user_version(db_); }

std::string StateStore::journal_mode() {
  SqliteStatement q(db_, "PRAGMA journal_mode");
  q.step();
  return q.text(0);
}

std::string StateStore::integrity_check() {
  SqliteStatement q(db_, "PRAGMA integrity_check");
  std::string out;
  while (q.step()) out += (out.empty() ? "" : "; ") + q.text(0);
  return out;
}

std::int64_t StateStore::upsert_camera(const CameraRecord& c) {
  if (cli::url_has_password(c.url) || cli::url_has_password(c.identity))
    throw StoreError("camera " + cli::redact_url(c.identity, "") +
                     ": the state database never stores a URL with a password");
  if (c.identity.empty()) throw StoreError("camera without an identity");
  WriteScope w(*this);
  SqliteStatement up(db_,
                     "INSERT INTO cameras (identity, name, url, settings) VALUES (?1, ?2, ?3, ?4) "
                     "ON CONFLICT (identity) DO UPDATE SET name = ?2, url = ?3, settings = ?4");
  up.bind(1, c.identity).bind(2, c.name).bind(3, c.url).bind(4, c.settings_json).run();
  SqliteStatement id(db_, "SELECT id FROM cameras WHERE identity = ?1");
  id.bind(1, c.identity);
  id.step();
  const std::int64_t out = id.int64(0);
  w.finish();
  return out;
}

std::optional<CameraRecord> StateStore::camera(const std::string& identity) {
  SqliteStatement q(db_, "SELECT id, identity, name, url, settings FROM cameras WHERE identity = ?1");
  q.bind(1, identity);
  if (!q.step()) return std::nullopt;
  return read_camera(q);
}

std::vector<CameraRecord> StateStore::cameras() {
  SqliteStatement q(db_, "SELECT id, identity, name, url, settings FROM cameras ORDER BY id");
  std::vector<CameraRecord> out;
  while (q.step()) out.push_back(read_camera(q));
  return out;
}

std::int64_t StateStore::add_reference(const ReferenceRecord& r) {
  WriteScope w(*this);
  SqliteStatement q(db_,
                    "INSERT INTO camera_references (camera_id, mode, features, map, snapshot, created, "
                    "source_check_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  q.bind(1, r.camera_id)
      .bind(2, std::string(light_mode_name(r.mode)))
      .bind(3, r.features_json)
      .bind(4, r.map_json)
      .bind(5, r.snapshot)
      .bind(6, r.created)
      .bind(7, r.source_check_id)
      .run();
  const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
  w.finish();
  return id;
}

std::optional<ReferenceRecord> StateStore::current_reference(std::int64_t camera_id, LightMode mode) {
  SqliteStatement q(db_,
                    "SELECT id, camera_id, mode, features, map, snapshot, created, source_check_id "
                    "FROM camera_references WHERE camera_id = ?1 AND mode = ?2 ORDER BY created DESC, id DESC LIMIT 1");
  q.bind(1, camera_id).bind(2, std::string(light_mode_name(mode)));
  if (!q.step()) return std::nullopt;
  ReferenceRecord r;
  r.id = q.int64(0);
  r.camera_id = q.int64(1);
  r.mode = parse_light_mode(q.text(2)).value_or(LightMode::Day);  // CHECK constraint allows only the two
  r.features_json = q.text(3);
  r.map_json = q.text(4);
  r.snapshot = q.text(5);
  r.created = q.real(6);
  r.source_check_id = q.opt_int64(7);
  return r;
}

std::int64_t StateStore::add_check(const CheckRecord& c) {
  WriteScope w(*this);
  SqliteStatement q(db_,
                    "INSERT INTO checks (camera_id, time, status, verdict, score, features, map, snapshot) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  q.bind(1, c.camera_id)
      .bind(2, c.time)
      .bind(3, c.status)
      .bind(4, c.verdict)
      .bind(5, c.score)
      .bind(6, c.features_json)
      .bind(7, c.map_json)
      .bind(8, c.snapshot)
      .run();
  const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
  w.finish();
  return id;
}

std::optional<CheckRecord> StateStore::check(std::int64_t id) {
  SqliteStatement q(db_, (std::string("SELECT ") + kCheckColumns + " FROM checks WHERE id = ?1").c_str());
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return read_check(q);
}

std::vector<CheckRecord> StateStore::checks(std::int64_t camera_id, UnixTime since) {
  SqliteStatement q(db_, (std::string("SELECT ") + kCheckColumns +
                          " FROM checks WHERE camera_id = ?1 AND time >= ?2 ORDER BY time, id")
                             .c_str());
  q.bind(1, camera_id).bind(2, since);
  std::vector<CheckRecord> out;
  while (q.step()) out.push_back(read_check(q));
  return out;
}

std::int64_t StateStore::open_incident(std::int64_t camera_id, const std::string& kind, UnixTime opened_at,
                                       std::int64_t open_check_id) {
  WriteScope w(*this);
  SqliteStatement q(db_, "INSERT INTO incidents (camera_id, kind, opened_at, open_check_id) VALUES (?1, ?2, ?3, ?4)");
  q.bind(1, camera_id).bind(2, kind).bind(3, opened_at).bind(4, open_check_id);
  try {
    q.run();
  } catch (const SqliteError& e) {
    if (e.code() == SQLITE_CONSTRAINT_UNIQUE)
      throw StoreError("camera " + std::to_string(camera_id) + " already has an open " + kind + " incident");
    throw;
  }
  const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
  w.finish();
  return id;
}

void StateStore::close_incident(std::int64_t incident_id, UnixTime closed_at, std::int64_t close_check_id) {
  WriteScope w(*this);
  SqliteStatement q(db_,
                    "UPDATE incidents SET closed_at = ?2, close_check_id = ?3 WHERE id = ?1 AND closed_at IS NULL");
  q.bind(1, incident_id).bind(2, closed_at).bind(3, close_check_id).run();
  if (sqlite3_changes(db_.get()) != 1) throw StoreError("incident " + std::to_string(incident_id) + " is not open");
  w.finish();
}

std::vector<IncidentRecord> StateStore::open_incidents(std::int64_t camera_id) {
  return query_incidents(
      db_,
      "SELECT id, camera_id, kind, opened_at, closed_at, open_check_id, close_check_id FROM incidents "
      "WHERE camera_id = ?1 AND closed_at IS NULL ORDER BY opened_at, id",
      camera_id);
}

std::vector<IncidentRecord> StateStore::incidents(std::int64_t camera_id) {
  return query_incidents(
      db_,
      "SELECT id, camera_id, kind, opened_at, closed_at, open_check_id, close_check_id FROM incidents "
      "WHERE camera_id = ?1 ORDER BY opened_at, id",
      camera_id);
}

void StateStore::save_debounce(std::int64_t camera_id, const std::string& kind, int streak) {
  WriteScope w(*this);
  SqliteStatement q(db_,
                    "INSERT INTO debounce (camera_id, kind, streak) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (camera_id, kind) DO UPDATE SET streak = ?3");
  q.bind(1, camera_id).bind(2, kind).bind(3, static_cast<std::int64_t>(streak)).run();
  w.finish();
}

std::vector<DebounceRecord> StateStore::debounce(std::int64_t camera_id) {
  SqliteStatement q(db_, "SELECT camera_id, kind, streak FROM debounce WHERE camera_id = ?1 ORDER BY kind");
  q.bind(1, camera_id);
  std::vector<DebounceRecord> out;
  while (q.step()) out.push_back({q.int64(0), q.text(1), static_cast<int>(q.int64(2))});
  return out;
}

}  // namespace focusmeter::watch
