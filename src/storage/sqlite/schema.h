// Owns: the on-disk identity and layout of the store's SQLite file (DIR/state.db): creating and
// initialising a new or empty file, refusing anything else that is not ours (not SQLite, a
// foreign SQLite database, a newer schema version, a failed quick_check, a file held by another
// process) with an error naming the file, and the connection settings every open uses.
// Does not own: reading or writing rows (kv_table.h), threads (sqlite_store.h).
//
// Layout (schema version 1):
//   kv(id INTEGER PRIMARY KEY, name BLOB, deleted, create_revision, prev_revision, expires_at,
//      value BLOB), one row per write, id = the revision; index kv_name(name) (SQLite appends
//      the rowid to every index entry, so it is (name, revision): latest version of a key,
//      versions at a revision, and the keys of a prefix in order all come from it).
//   meta(key TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID: 'compact_revision'.
//   Header: application_id = kApplicationId (identity), user_version = schema version.
// Two departures from kine's table, both to write less: no AUTOINCREMENT (it rewrites the
// sqlite_sequence page at every commit; the single writer assigns revisions, and the newest
// revision survives a compaction that removes its row through meta.compact_revision), and no
// old_value column (a watch's prev_kv is the row prev_revision names; see kv_table.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/sqlite/database.h"

namespace cubelet::storage::sqlite {

inline constexpr int64_t kApplicationId = 0x43424c54;  // "CBLT"
inline constexpr int64_t kSchemaVersion = 1;

// The tables of a new file (the layout above); benchmarks create the same table for their raw peer.
inline constexpr char kCreateSchemaSql[] = R"sql(
CREATE TABLE kv (
  id INTEGER PRIMARY KEY,
  name BLOB NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  value BLOB NOT NULL
);
CREATE INDEX kv_name ON kv (name);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('compact_revision', 0);
)sql";

struct OpenSettings {
  int page_size = 1024;               // new files only
  int64_t cache_size_kib = 16 * 1024;
  int64_t wal_autocheckpoint_pages = 1000;
  bool quick_check = true;            // PRAGMA quick_check on every open of an existing file
  int64_t max_db_bytes = 0;           // writes beyond it fail with kResourceExhausted; 0 = none
};

struct OpenedDatabase {
  std::unique_ptr<Database> db;
  bool created = false;  // the file was new or empty and has just been initialised
};

// Opens `path` for exclusive read-write use in WAL mode with synchronous=FULL, creating and
// initialising it when it does not exist or is empty (mode 0600). An existing file is
// validated before anything may write to it (query_only, no checkpoint on close), so a file
// that is refused, and a WAL beside it, are left byte for byte as they were. `vfs` may be null.
// Errors name the file: kFailedPrecondition for a file that is not ours or too new,
// kUnavailable when another process has it open, kDataLoss for corruption.
absl::StatusOr<OpenedDatabase> OpenStateDatabase(const std::string& path,
                                                 const OpenSettings& settings, const char* vfs);

}  // namespace cubelet::storage::sqlite
