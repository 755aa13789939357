// Owns: a thin RAII layer over one SQLite connection: the connection, prepared statements
// (cached by their SQL text), binding, stepping and reading columns, and turning SQLite result
// codes into absl::Status with context.
// Does not own: the schema or what rows mean (schema.h, kv_table.h), locking (the caller
// serialises all use of one Database).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cubelet::storage::sqlite {

// The status for SQLite result `rc` on `db`: BUSY/LOCKED → kUnavailable, CORRUPT/NOTADB →
// kDataLoss, FULL → kResourceExhausted, TOOBIG/CONSTRAINT/RANGE → kInvalidArgument, the rest
// kInternal. The message names `what` and SQLite's own message.
absl::Status SqliteError(sqlite3* db, int rc, std::string_view what);

// One prepared statement. Not thread-safe. Binding indexes are 1-based like SQLite's.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Clears bindings and rewinds; every use starts with Reset().
  Statement& Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
  }
  Statement& BindInt(int index, int64_t v) {
    sqlite3_bind_int64(stmt_, index, v);
    return *this;
  }
  // Keys are bound as BLOBs everywhere so that they compare bytewise (memcmp) and a TEXT value
  // never meets a BLOB one (SQLite orders every TEXT before every BLOB).
  Statement& BindBlob(int index, std::string_view v) {
    // A zero-length BLOB, not NULL, for an empty string.
    sqlite3_bind_blob64(stmt_, index, v.empty() ? "" : v.data(), v.size(), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindText(int index, std::string_view v) {
    sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
  }

  // True: a row is available; false: done. Errors carry `what` as context.
  absl::StatusOr<bool> Step(std::string_view what);
  // Steps a statement that returns no rows.
  absl::Status Run(std::string_view what);

  int64_t ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool ColumnIsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string ColumnBlob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// One connection. Not thread-safe: callers hold their own lock around every use.
class Database {
 public:
  // Opens `path` with `flags` (SQLITE_OPEN_*) through VFS `vfs` (nullptr: the default).
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path, int flags,
                                                        const char* vfs);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements that return nothing (DDL, PRAGMA assignments, BEGIN/COMMIT).
  absl::Status Exec(std::string_view sql);
  // Runs a statement that returns one row of one column (PRAGMA reads).
  absl::StatusOr<int64_t> QueryInt(std::string_view sql);
  absl::StatusOr<std::string> QueryText(std::string_view sql);

  // The prepared statement for `sql`, prepared on first use and kept; Reset() before use.
  absl::StatusOr<Statement*> Prepare(const std::string& sql);

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // Prepares `sql` once (not kept) and steps it to its first row; an error without one.
  absl::StatusOr<std::unique_ptr<Statement>> QueryRow(const std::string& sql);

  sqlite3* db_;
  std::string path_;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements_;
};

}  // namespace cubelet::storage::sqlite
