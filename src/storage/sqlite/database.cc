#include "storage/sqlite/database.h"

#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::storage::sqlite {

absl::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  absl::StatusCode code = absl::StatusCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = absl::StatusCode::kUnavailable;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = absl::StatusCode::kDataLoss;
      break;
    case SQLITE_FULL:
      code = absl::StatusCode::kResourceExhausted;
      break;
    case SQLITE_TOOBIG:
    case SQLITE_CONSTRAINT:
    case SQLITE_RANGE:
      code = absl::StatusCode::kInvalidArgument;
      break;
    default:
      break;
  }
  // sqlite3_errmsg describes the most recent failure on `db`, which is this one as long as the
  // caller serialises use of the connection (it does); fall back to the generic text.
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(code, StrCat(what, ": ", msg, " (sqlite error ", rc, ")"));
}

absl::StatusOr<bool> Statement::Step(std::string_view what) {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status status = SqliteError(db_, rc, what);
  sqlite3_reset(stmt_);
  return status;
}

absl::Status Statement::Run(std::string_view what) {
  absl::StatusOr<bool> row = Step(what);
  if (!row.ok()) return row.status();
  sqlite3_reset(stmt_);
  return absl::OkStatus();
}

std::string Statement::ColumnBlob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr || n <= 0) return std::string();
  return std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path, int flags,
                                                         const char* vfs) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteError(db, rc, StrCat("open ", path));
    sqlite3_close(db);
    return status;
  }
  // Report constraint and I/O failures with extended codes (SQLITE_IOERR_FSYNC, ...).
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(db, path));
}

Database::~Database() {
  statements_.clear();  // finalize before closing, or sqlite3_close refuses
  sqlite3_close(db_);
}

absl::Status Database::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return absl::OkStatus();
  absl::Status status = SqliteError(db_, rc, s);
  sqlite3_free(err);
  return status;
}

absl::StatusOr<std::unique_ptr<Statement>> Database::QueryRow(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
  auto st = std::make_unique<Statement>(db_, stmt);
  absl::StatusOr<bool> row = st->Step(sql);
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(StrCat(sql, ": no row"));
  return st;
}

absl::StatusOr<int64_t> Database::QueryInt(std::string_view sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<Statement> st, QueryRow(std::string(sql)));
  return st->ColumnInt(0);
}

absl::StatusOr<std::string> Database::QueryText(std::string_view sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<Statement> st, QueryRow(std::string(sql)));
  return st->ColumnBlob(0);
}

absl::StatusOr<Statement*> Database::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second.get();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, StrCat("prepare ", sql));
  auto [pos, inserted] = statements_.emplace(sql, std::make_unique<Statement>(db_, stmt));
  (void)inserted;
  return pos->second.get();
}

}  // namespace cubelet::storage::sqlite
