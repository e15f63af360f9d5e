// Thin RAII over the SQLite C API: a connection that closes itself, prepared
// statements that finalize themselves, values bound by position (never
// spliced into SQL text), and a transaction guard that rolls back unless
// committed. Every failure throws SqliteError with a one-line message
// ("what we were doing: sqlite's reason"); nothing here prints.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace focusmeter::watch {

class SqliteError : public std::runtime_error {
 public:
  explicit SqliteError(const std::string& what, int code = 0) : std::runtime_error(what), code_(code) {}
  // SQLite's extended result code (e.g. SQLITE_CONSTRAINT_UNIQUE); 0 when
  // the error did not come from SQLite.
  int code() const { return code_; }

 private:
  int code_;
};

class SqliteDb {
 public:
  // Opens (creating when missing) the database file at `path`.
  explicit SqliteDb(const std::string& path);
  sqlite3* get() const { return db_.get(); }
  // Runs SQL without parameters (schema, PRAGMAs, BEGIN/COMMIT).
  void exec(const char* sql);
  // "context: sqlite's last error message".
  [[noreturn]] void fail(const std::string& context) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
};

class SqliteStatement {
 public:
  SqliteStatement(const SqliteDb& db, const char* sql);

  // Binds by 1-based position. Chainable.
  SqliteStatement& bind(int index, std::int64_t v);
  SqliteStatement& bind(int index, double v);
  SqliteStatement& bind(int index, const std::string& v);
  SqliteStatement& bind(int index, const std::optional<std::int64_t>& v);
  SqliteStatement& bind(int index, const std::optional<double>& v);
  SqliteStatement& bind(int index, const std::optional<std::string>& v);

  // Steps once: true while a row is available, false when done.
  bool step();
  // Steps a statement that returns no rows, then resets it.
  void run();
  void reset();

  std::int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  std::optional<double> opt_real(int col) const;
  std::optional<std::string> opt_text(int col) const;

 private:
  void check_bind(int rc, int index);
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  const SqliteDb* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// BEGIN IMMEDIATE on construction (the write lock is taken up front, so two
// writers never deadlock upgrading a read lock), ROLLBACK in the destructor
// unless commit() ran.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace focusmeter::watch
