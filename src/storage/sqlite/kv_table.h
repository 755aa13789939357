// Owns: the SQL of the store's log-structured key-value table (schema.h has its layout): the
// newest row of a key, appending a row, lists and counts as of a revision, the history of a
// prefix as watch events, and removing superseded rows (compaction).
// Does not own: transactions, locking or revision assignment (the store's writer does those);
// callers serialise all use of one KvTable with the connection it reads.
//
// Row meaning (kine's, without the old_value column): every write appends a row whose id is its
// revision. A create has create_revision = id and prev_revision = the id of the key's delete row
// if there is one (else 0); an update carries create_revision over and has prev_revision = the
// row it replaced; a delete is a row with deleted = 1, the last value, and prev_revision = the
// row it removed. A watch's prev_kv is read from the row prev_revision names. Compaction keeps
// those rows: it removes only rows superseded at or below the compaction revision, and the row
// an event after that revision points back to is the key's newest row at that revision.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/sqlite/database.h"
#include "storage/store.h"

namespace cubelet::storage::sqlite {

struct Row {
  int64_t id = 0;  // the revision
  std::string name;
  bool deleted = false;
  int64_t create_revision = 0;
  int64_t prev_revision = 0;
  int64_t expires_at_us = 0;  // unix microseconds; 0 = no TTL
  std::string value;
};

// The event a row stands for, given the row it replaced (nullopt for a create).
Event MakeEvent(const Row& row, std::optional<KeyValue> prev);
// The key-value a live row stands for.
KeyValue ToKeyValue(const Row& row);

// The first key after every key that starts with `prefix`; nullopt when there is none (empty
// prefix, or only 0xff bytes).
std::optional<std::string> PrefixEnd(std::string_view prefix);

struct HistoryChunk {
  std::vector<Event> events;
  int64_t scanned_through = 0;  // every revision up to this one has been looked at
};

struct LiveExpiry {
  std::string name;
  int64_t mod_revision = 0;
  int64_t expires_at_us = 0;
};

class KvTable {
 public:
  explicit KvTable(Database* db) : db_(db) {}

  // The newest row of `key`, deleted or not; nullopt when the key has no row.
  absl::StatusOr<std::optional<Row>> Latest(std::string_view key);
  absl::Status Insert(const Row& row);

  // Live keys as of `revision` (which the caller has checked against compaction).
  absl::StatusOr<ListResult> List(const ListOptions& options, int64_t revision);
  absl::StatusOr<int64_t> Count(std::string_view prefix);
  // Changes of keys starting with `prefix` with revisions in (after, through], oldest first, at
  // most `limit` of them.
  absl::StatusOr<HistoryChunk> History(std::string_view prefix, int64_t after, int64_t through,
                                       int64_t limit);

  absl::StatusOr<int64_t> MaxRevision();
  absl::StatusOr<int64_t> CompactRevision();
  absl::Status SetCompactRevision(int64_t revision);
  // Removes the rows that writes with revisions in (after, through] superseded, and the delete
  // rows among those writes. Returns the number of rows removed.
  absl::StatusOr<int64_t> CompactRange(int64_t after, int64_t through);

  // Every live key whose newest write has a TTL.
  absl::StatusOr<std::vector<LiveExpiry>> LiveWithExpiry();

 private:
  Database* db_;
};

}  // namespace cubelet::storage::sqlite
