#include "storage/sqlite/kv_table.h"

#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::storage::sqlite {
namespace {

// A row is a key's version at revision R when no newer row of the key is at or below R.
constexpr char kNewestAt[] =
    "NOT EXISTS (SELECT 1 FROM kv AS n WHERE n.name = k.name AND n.id > k.id AND n.id <= ?3)";
constexpr char kNewest[] = "NOT EXISTS (SELECT 1 FROM kv AS n WHERE n.name = k.name AND n.id > k.id)";

}  // namespace

Event MakeEvent(const Row& row, std::optional<KeyValue> prev) {
  Event e;
  if (row.deleted) {
    e.type = EventType::kDelete;
    e.kv.key = row.name;
    e.kv.mod_revision = row.id;
  } else {
    e.type = EventType::kPut;
    e.kv = ToKeyValue(row);
  }
  e.prev_kv = std::move(prev);
  return e;
}

KeyValue ToKeyValue(const Row& row) {
  return KeyValue{.key = row.name,
                  .value = row.value,
                  .create_revision = row.create_revision,
                  .mod_revision = row.id};
}

std::optional<std::string> PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<Row>> KvTable::Latest(std::string_view key) {
  ASSIGN_OR_RETURN(Statement * st,
                   db_->Prepare("SELECT id, deleted, create_revision, prev_revision, expires_at, "
                                "value FROM kv WHERE name = ?1 ORDER BY id DESC LIMIT 1"));
  st->Reset().BindBlob(1, key);
  ASSIGN_OR_RETURN(bool found, st->Step("read newest row"));
  if (!found) return std::optional<Row>();
  Row row{.id = st->ColumnInt(0),
          .name = std::string(key),
          .deleted = st->ColumnInt(1) != 0,
          .create_revision = st->ColumnInt(2),
          .prev_revision = st->ColumnInt(3),
          .expires_at_us = st->ColumnInt(4),
          .value = st->ColumnBlob(5)};
  st->Reset();
  return std::optional<Row>(std::move(row));
}

absl::Status KvTable::Insert(const Row& row) {
  ASSIGN_OR_RETURN(Statement * st,
                   db_->Prepare("INSERT INTO kv (id, name, deleted, create_revision, "
                                "prev_revision, expires_at, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  st->Reset()
      .BindInt(1, row.id)
      .BindBlob(2, row.name)
      .BindInt(3, row.deleted ? 1 : 0)
      .BindInt(4, row.create_revision)
      .BindInt(5, row.prev_revision)
      .BindInt(6, row.expires_at_us)
      .BindBlob(7, row.value);
  return st->Run("insert row");
}

absl::StatusOr<ListResult> KvTable::List(const ListOptions& options, int64_t revision) {
  // Start strictly after start_after when it lies inside the prefix's range, else at the prefix.
  const bool after = !options.start_after.empty() && options.start_after >= options.prefix;
  const std::optional<std::string> end = PrefixEnd(options.prefix);
  const std::string sql = StrCat(
      "SELECT id, name, create_revision, value FROM kv AS k WHERE name ", after ? ">" : ">=",
      " ?1", end ? " AND name < ?2" : "", " AND id <= ?3 AND deleted = 0 AND ", kNewestAt,
      " ORDER BY name LIMIT ?4");
  ASSIGN_OR_RETURN(Statement * st, db_->Prepare(sql));
  st->Reset().BindBlob(1, after ? options.start_after : options.prefix).BindInt(3, revision);
  if (end) st->BindBlob(2, *end);
  // One more than asked tells whether more keys remain.
  st->BindInt(4, options.limit > 0 ? options.limit + 1 : -1);
  ListResult result;
  result.revision = revision;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step("list keys"));
    if (!row) break;
    if (options.limit > 0 && static_cast<int64_t>(result.kvs.size()) == options.limit) {
      result.more = true;
      break;
    }
    result.kvs.push_back(KeyValue{.key = st->ColumnBlob(1),
                                  .value = st->ColumnBlob(3),
                                  .create_revision = st->ColumnInt(2),
                                  .mod_revision = st->ColumnInt(0)});
  }
  st->Reset();
  return result;
}

absl::StatusOr<int64_t> KvTable::Count(std::string_view prefix) {
  const std::optional<std::string> end = PrefixEnd(prefix);
  const std::string sql = StrCat("SELECT count(*) FROM kv AS k WHERE name >= ?1",
                                 end ? " AND name < ?2" : "", " AND deleted = 0 AND ", kNewest);
  ASSIGN_OR_RETURN(Statement * st, db_->Prepare(sql));
  st->Reset().BindBlob(1, prefix);
  if (end) st->BindBlob(2, *end);
  ASSIGN_OR_RETURN(bool row, st->Step("count keys"));
  int64_t n = row ? st->ColumnInt(0) : 0;
  st->Reset();
  return n;
}

absl::StatusOr<HistoryChunk> KvTable::History(std::string_view prefix, int64_t after,
                                              int64_t through, int64_t limit) {
  const std::optional<std::string> end = PrefixEnd(prefix);
  const std::string sql = StrCat(
      "SELECT k.id, k.name, k.deleted, k.create_revision, k.prev_revision, k.value, p.id, "
      "p.create_revision, p.value FROM kv AS k LEFT JOIN kv AS p ON p.id = k.prev_revision AND "
      "k.create_revision != k.id WHERE k.id > ?1 AND k.id <= ?2 AND k.name >= ?3",
      end ? " AND k.name < ?4" : "", " ORDER BY k.id LIMIT ?5");
  ASSIGN_OR_RETURN(Statement * st, db_->Prepare(sql));
  st->Reset().BindInt(1, after).BindInt(2, through).BindBlob(3, prefix).BindInt(5, limit);
  if (end) st->BindBlob(4, *end);
  HistoryChunk chunk;
  chunk.scanned_through = through;
  while (true) {
    ASSIGN_OR_RETURN(bool found, st->Step("read history"));
    if (!found) break;
    Row row{.id = st->ColumnInt(0),
            .name = st->ColumnBlob(1),
            .deleted = st->ColumnInt(2) != 0,
            .create_revision = st->ColumnInt(3),
            .prev_revision = st->ColumnInt(4),
            .value = st->ColumnBlob(5)};
    std::optional<KeyValue> prev;
    if (!st->ColumnIsNull(6)) {
      prev = KeyValue{.key = row.name,
                      .value = st->ColumnBlob(8),
                      .create_revision = st->ColumnInt(7),
                      .mod_revision = st->ColumnInt(6)};
    }
    chunk.events.push_back(MakeEvent(row, std::move(prev)));
  }
  st->Reset();
  if (static_cast<int64_t>(chunk.events.size()) == limit) {
    chunk.scanned_through = chunk.events.back().kv.mod_revision;
  }
  return chunk;
}

absl::StatusOr<int64_t> KvTable::MaxRevision() {
  ASSIGN_OR_RETURN(Statement * st, db_->Prepare("SELECT coalesce(max(id), 0) FROM kv"));
  st->Reset();
  ASSIGN_OR_RETURN(bool row, st->Step("read newest revision"));
  int64_t rev = row ? st->ColumnInt(0) : 0;
  st->Reset();
  return rev;
}

absl::StatusOr<int64_t> KvTable::CompactRevision() {
  ASSIGN_OR_RETURN(Statement * st,
                   db_->Prepare("SELECT value FROM meta WHERE key = 'compact_revision'"));
  st->Reset();
  ASSIGN_OR_RETURN(bool row, st->Step("read compacted revision"));
  if (!row) return absl::DataLossError("meta table has no compact_revision row");
  int64_t rev = st->ColumnInt(0);
  st->Reset();
  return rev;
}

absl::Status KvTable::SetCompactRevision(int64_t revision) {
  ASSIGN_OR_RETURN(Statement * st,
                   db_->Prepare("UPDATE meta SET value = ?1 WHERE key = 'compact_revision'"));
  st->Reset().BindInt(1, revision);
  return st->Run("record compacted revision");
}

absl::StatusOr<int64_t> KvTable::CompactRange(int64_t after, int64_t through) {
  ASSIGN_OR_RETURN(Statement * scan,
                   db_->Prepare("SELECT id, deleted, prev_revision FROM kv "
                                "WHERE id > ?1 AND id <= ?2"));
  scan->Reset().BindInt(1, after).BindInt(2, through);
  // Collect first, then delete: never modify the table under a running scan of it.
  std::vector<int64_t> doomed;
  while (true) {
    ASSIGN_OR_RETURN(bool row, scan->Step("scan rows to compact"));
    if (!row) break;
    if (scan->ColumnInt(2) > 0) doomed.push_back(scan->ColumnInt(2));
    if (scan->ColumnInt(1) != 0) doomed.push_back(scan->ColumnInt(0));
  }
  scan->Reset();
  ASSIGN_OR_RETURN(Statement * del, db_->Prepare("DELETE FROM kv WHERE id = ?1"));
  int64_t removed = 0;
  for (int64_t id : doomed) {
    del->Reset().BindInt(1, id);
    RETURN_IF_ERROR(del->Run("remove compacted row"));
    removed += sqlite3_changes(db_->handle());
  }
  return removed;
}

absl::StatusOr<std::vector<LiveExpiry>> KvTable::LiveWithExpiry() {
  ASSIGN_OR_RETURN(Statement * st,
                   db_->Prepare(StrCat("SELECT id, name, expires_at FROM kv AS k WHERE "
                                       "expires_at > 0 AND deleted = 0 AND ",
                                       kNewest)));
  st->Reset();
  std::vector<LiveExpiry> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st->Step("read keys with a TTL"));
    if (!row) break;
    out.push_back(LiveExpiry{.name = st->ColumnBlob(1),
                             .mod_revision = st->ColumnInt(0),
                             .expires_at_us = st->ColumnInt(2)});
  }
  st->Reset();
  return out;
}

}  // namespace cubelet::storage::sqlite
