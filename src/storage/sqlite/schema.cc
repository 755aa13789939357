#include "storage/sqlite/schema.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::storage::sqlite {
namespace {


std::string Prefix(const std::string& path) { return StrCat("store database ", path); }

// Rewords the failure of the first read of an existing file for the person who has to act on it.
absl::Status FirstReadError(const std::string& path, const absl::Status& s, int rc) {
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
      return absl::FailedPreconditionError(
          StrCat(Prefix(path), " is not a SQLite database (refusing to touch it): ", s.message()));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(StrCat(
          Prefix(path),
          " is in use by another process (is another cubelet-server running on this data dir?)"));
    case SQLITE_CORRUPT:
      return absl::DataLossError(StrCat(Prefix(path), " is corrupt: ", s.message()));
    default:
      return Annotate(s, Prefix(path));
  }
}

// The result code of the last failure on `db`, for FirstReadError.
int LastCode(Database& db) { return sqlite3_extended_errcode(db.handle()); }

// Checks an existing file before anything may write to it. The connection is in query_only
// mode with the checkpoint on close turned off, so a refused file (and a foreign WAL next to
// it) is left exactly as it was found.
absl::Status Validate(Database& db, const std::string& path, const OpenSettings& settings) {
  absl::StatusOr<int64_t> tables = db.QueryInt(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('kv', 'meta')");
  if (!tables.ok()) return FirstReadError(path, tables.status(), LastCode(db));
  ASSIGN_OR_RETURN(int64_t app_id, db.QueryInt("PRAGMA application_id"));
  if (app_id != kApplicationId) {
    return absl::FailedPreconditionError(StrCat(
        Prefix(path), " is a SQLite database but not a cubelet-server store (application_id ",
        app_id, ", want ", kApplicationId, "); refusing to touch it"));
  }
  ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(
        StrCat(Prefix(path), " was written by a newer cubelet-server (schema version ", version,
               "; this binary knows up to ", kSchemaVersion, ")"));
  }
  if (version < 1 || *tables != 2) {
    return absl::DataLossError(StrCat(Prefix(path), " has cubelet-server's identity but not its ",
                                      "schema (version ", version, ", ", *tables,
                                      " of 2 tables): damaged or half-initialised"));
  }
  if (settings.quick_check) {
    absl::StatusOr<std::string> check = db.QueryText("PRAGMA quick_check(1)");
    if (!check.ok()) return FirstReadError(path, check.status(), LastCode(db));
    if (*check != "ok") {
      return absl::DataLossError(
          StrCat(Prefix(path), " is corrupt: PRAGMA quick_check: ", *check));
    }
  }
  return absl::OkStatus();
}

// Turns the checkpoint that closing the last connection runs off (true) or back on (false).
absl::Status SetCheckpointOnClose(Database& db, bool off) {
  int rc = sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, off ? 1 : 0, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db.handle(), rc, "SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE");
  return absl::OkStatus();
}

absl::Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(StrCat("open directory ", dir, ": ", strerror(errno)));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return absl::InternalError(StrCat("fsync directory ", dir, ": ", strerror(err)));
  return absl::OkStatus();
}

// Settings of every read-write connection.
absl::Status Configure(Database& db, const OpenSettings& settings) {
  RETURN_IF_ERROR(db.Exec("PRAGMA locking_mode=EXCLUSIVE"));
  ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode=WAL"));
  if (mode != "wal") {
    return absl::InternalError(StrCat("PRAGMA journal_mode=WAL answered '", mode, "'"));
  }
  // FULL: the WAL is synced at every commit, so an acknowledged write survives power loss.
  RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(db.Exec(StrCat("PRAGMA wal_autocheckpoint=", settings.wal_autocheckpoint_pages)));
  RETURN_IF_ERROR(db.Exec(StrCat("PRAGMA cache_size=-", settings.cache_size_kib)));
  RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  RETURN_IF_ERROR(db.Exec("PRAGMA trusted_schema=OFF"));
  RETURN_IF_ERROR(db.Exec("PRAGMA cell_size_check=ON"));
  // Debian builds SQLite with secure_delete=ON, which also writes zeros over every page a
  // compaction frees. FAST still zeroes deleted values (Secrets) inside the pages a delete
  // rewrites anyway, without the extra writes.
  RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete=FAST"));
  if (settings.max_db_bytes > 0) {
    ASSIGN_OR_RETURN(int64_t page_size, db.QueryInt("PRAGMA page_size"));
    RETURN_IF_ERROR(db.Exec(
        StrCat("PRAGMA max_page_count=", std::max<int64_t>(1, settings.max_db_bytes / page_size))));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OpenedDatabase> OpenStateDatabase(const std::string& path,
                                                 const OpenSettings& settings, const char* vfs) {
  std::error_code ec;
  const std::filesystem::path p(path);
  const std::string dir = p.parent_path().empty() ? "." : p.parent_path().string();
  // A rollback journal is never ours (the store only ever runs in WAL mode); opening the file
  // would roll it back into the database, rewriting a file that is not ours.
  if (std::filesystem::exists(path + "-journal", ec)) {
    return absl::FailedPreconditionError(
        StrCat(Prefix(path), " has a rollback journal (", path,
               "-journal): not written by cubelet-server; refusing to touch it"));
  }
  struct stat st {};
  bool created = false;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return absl::InternalError(StrCat("stat ", path, ": ", strerror(errno)));
    }
    // The store holds secrets: owner-only from the first byte. SQLite gives the WAL the
    // database file's mode.
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return absl::InternalError(StrCat("create ", path, ": ", strerror(errno)));
    ::close(fd);
    created = true;
  } else if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(StrCat(Prefix(path), " is not a regular file"));
  } else if (st.st_size == 0) {
    created = true;  // an empty file is a new database
  }

  ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                   Database::Open(path, SQLITE_OPEN_READWRITE, vfs));
  // Nothing may be written before the file is known to be ours: no statement (query_only) and
  // no checkpoint when a refused file is closed.
  RETURN_IF_ERROR(Annotate(SetCheckpointOnClose(*db, true), Prefix(path)));
  RETURN_IF_ERROR(Annotate(db->Exec("PRAGMA query_only=ON"), Prefix(path)));
  // Before the first read: a WAL is then read without shared memory (no -shm file), and the
  // exclusive lock of a running store makes that read fail at once (no busy timeout is set).
  RETURN_IF_ERROR(Annotate(db->Exec("PRAGMA locking_mode=EXCLUSIVE"), Prefix(path)));
  if (!created) RETURN_IF_ERROR(Validate(*db, path, settings));
  RETURN_IF_ERROR(Annotate(db->Exec("PRAGMA query_only=OFF"), Prefix(path)));
  RETURN_IF_ERROR(Annotate(SetCheckpointOnClose(*db, false), Prefix(path)));
  if (created) {
    RETURN_IF_ERROR(
        Annotate(db->Exec(StrCat("PRAGMA page_size=", settings.page_size)), Prefix(path)));
  }
  absl::Status configured = Configure(*db, settings);
  if (!configured.ok()) return FirstReadError(path, configured, LastCode(*db));
  // Takes the exclusive lock now (held until close) rather than at the first write.
  absl::Status locked = db->Exec("BEGIN EXCLUSIVE");
  if (!locked.ok()) return FirstReadError(path, locked, LastCode(*db));
  if (created) {
    absl::Status init = db->Exec(StrCat(kCreateSchemaSql, "PRAGMA application_id=", kApplicationId,
                                        "; PRAGMA user_version=", kSchemaVersion, ";"));
    if (!init.ok()) {
      (void)db->Exec("ROLLBACK");
      return Annotate(init, StrCat("initialise ", Prefix(path)));
    }
  }
  RETURN_IF_ERROR(Annotate(db->Exec("COMMIT"), Prefix(path)));
  if (created) RETURN_IF_ERROR(SyncDirectory(dir));
  return OpenedDatabase{std::move(db), created};
}

}  // namespace cubelet::storage::sqlite
