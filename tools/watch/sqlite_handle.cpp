#include "watch/sqlite_handle.h"

namespace focusmeter::watch {

SqliteDb::SqliteDb(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);  // sqlite3 hands back a handle even on failure; it must be closed
  if (rc != SQLITE_OK) {
    const std::string why = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    throw SqliteError("cannot open state database " + path + ": " + why);
  }
  sqlite3_extended_result_codes(raw, 1);
}

void SqliteDb::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    const std::string why = msg ? msg : "unknown error";
    sqlite3_free(msg);
    throw SqliteError(std::string("state database: ") + why);
  }
}

void SqliteDb::fail(const std::string& context) const {
  throw SqliteError(context + ": " + sqlite3_errmsg(db_.get()), sqlite3_extended_errcode(db_.get()));
}

SqliteStatement::SqliteStatement(const SqliteDb& db, const char* sql) : db_(&db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql, -1, &raw, nullptr) != SQLITE_OK) db.fail("state database: preparing a query");
  stmt_.reset(raw);
}

void SqliteStatement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) db_->fail("state database: binding parameter " + std::to_string(index));
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t v) {
  check_bind(sqlite3_bind_int64(stmt_.get(), index, v), index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, double v) {
  check_bind(sqlite3_bind_double(stmt_.get(), index, v), index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::string& v) {
  check_bind(sqlite3_bind_text(stmt_.get(), index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT), index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<std::int64_t>& v) {
  if (v) return bind(index, *v);
  check_bind(sqlite3_bind_null(stmt_.get(), index), index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<double>& v) {
  if (v) return bind(index, *v);
  check_bind(sqlite3_bind_null(stmt_.get(), index), index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<std::string>& v) {
  if (v) return bind(index, *v);
  check_bind(sqlite3_bind_null(stmt_.get(), index), index);
  return *this;
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Reset so the statement can be reused after a failed step (e.g. a
  // constraint violation the caller turns into its own error).
  const std::string why = sqlite3_errmsg(db_->get());
  const int code = sqlite3_extended_errcode(db_->get());
  sqlite3_reset(stmt_.get());
  throw SqliteError("state database: " + why, code);
}

void SqliteStatement::run() {
  while (step()) {
  }
  reset();
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t SqliteStatement::int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
double SqliteStatement::real(int col) const { return sqlite3_column_double(stmt_.get(), col); }

std::string SqliteStatement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_.get(), col);
  const int n = sqlite3_column_bytes(stmt_.get(), col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

bool SqliteStatement::is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

std::optional<std::int64_t> SqliteStatement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::optional<double> SqliteStatement::opt_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}

std::optional<std::string> SqliteStatement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

SqliteTransaction::SqliteTransaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

SqliteTransaction::~SqliteTransaction() {
  if (done_) return;
  // Destructors must not throw; a failed ROLLBACK leaves SQLite to roll the
  // journal back on the next open, which is what a crash would do anyway.
  sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace focusmeter::watch
