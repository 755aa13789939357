#include "storage/sqlite/sqlite_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <utility>

#include "absl/synchronization/notification.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "storage/sqlite/counting_vfs.h"
#include "storage/sqlite/database.h"
#include "storage/sqlite/kv_table.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/watch_hub.h"

namespace cubelet::storage::sqlite {
namespace {

absl::Status CompactedError(int64_t revision, int64_t compacted) {
  return absl::OutOfRangeError(
      StrCat("required revision has been compacted (revision ", revision,
             ", compacted through ", compacted, ")"));
}

absl::Status Closed() { return absl::UnavailableError("store is closed"); }

}  // namespace

// What one transaction did so far; applied to the store's state only once it commits.
struct SqliteStore::BatchState {
  int64_t revision = 0;
  int64_t compacted = 0;
  std::vector<Event> events;
  std::vector<Expiry> expiries;
  int64_t failed_comparisons = 0;
  int64_t expired = 0;
  int64_t compacted_rows = 0;
};

struct SqliteStore::Request {
  enum class Kind { kCreate, kUpdate, kDelete, kExpire, kCompact };
  Kind kind = Kind::kCreate;
  std::string key;
  std::string value;
  std::optional<int64_t> expected;  // kUpdate: required; kDelete/kExpire: when set
  absl::Duration ttl = absl::ZeroDuration();
  int64_t compact_through = 0;      // kCompact
  int64_t expires_at_us = 0;        // kExpire: when it was due (to retry after a failed batch)
  absl::StatusOr<TxnResult> result;
  absl::Notification done;          // not used for the writer's own kExpire requests

  const char* op_name() const {
    switch (kind) {
      case Kind::kCreate:
        return "create";
      case Kind::kUpdate:
        return "update";
      case Kind::kDelete:
        return "delete";
      case Kind::kExpire:
        return "expire";
      case Kind::kCompact:
        return "compact";
    }
    return "write";
  }
};

SqliteStore::SqliteStore(std::string path, const SqliteStoreOptions& options, Clock* clock,
                         Logger logger)
    : path_(std::move(path)), options_(options), clock_(clock), logger_(std::move(logger)) {}

SqliteStore::~SqliteStore() {
  Close();
  // The VFS is unregistered only now that no connection uses it.
  vfs_.reset();
}

absl::StatusOr<std::unique_ptr<SqliteStore>> NewSqliteStore(std::string_view data_dir,
                                                            const SqliteStoreOptions& options,
                                                            Clock* clock, Logger logger) {
  const std::string dir(data_dir);
  if (dir.empty()) return absl::InvalidArgumentError("store: empty data dir");
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);  // as mkdir -p
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InternalError(StrCat("create data dir ", dir, ": ", strerror(errno)));
  }
  std::unique_ptr<SqliteStore> store(
      new SqliteStore((std::filesystem::path(dir) / "state.db").string(), options, clock,
                      std::move(logger)));
  RETURN_IF_ERROR(store->Open());
  return store;
}

absl::Status SqliteStore::Open() {
  ASSIGN_OR_RETURN(vfs_, CountingVfs::Register());
  OpenSettings settings{.page_size = options_.page_size,
                        .cache_size_kib = options_.cache_size_kib,
                        .wal_autocheckpoint_pages = options_.wal_autocheckpoint_pages,
                        .quick_check = options_.quick_check_on_open,
                        .max_db_bytes = options_.max_db_bytes};
  ASSIGN_OR_RETURN(OpenedDatabase opened, OpenStateDatabase(path_, settings, vfs_->name()));
  auto table = std::make_unique<KvTable>(opened.db.get());
  auto annotate = [this](const absl::Status& s) { return Annotate(s, StrCat("open store ", path_)); };
  absl::StatusOr<int64_t> compacted = table->CompactRevision();
  if (!compacted.ok()) return annotate(compacted.status());
  absl::StatusOr<int64_t> newest = table->MaxRevision();
  if (!newest.ok()) return annotate(newest.status());
  absl::StatusOr<std::vector<LiveExpiry>> ttls = table->LiveWithExpiry();
  if (!ttls.ok()) return annotate(ttls.status());
  for (LiveExpiry& e : *ttls) {
    expiries_.push(Expiry{e.expires_at_us, std::move(e.name), e.mod_revision});
  }
  // A compaction may have removed the newest row (a delete); the revision never goes back.
  const int64_t revision = std::max(*newest, *compacted);
  {
    absl::MutexLock lock(&db_mu_);
    db_ = std::move(opened.db);
    table_ = std::move(table);
    db_revision_ = revision;
    db_compacted_ = *compacted;
  }
  revision_ = revision;
  compacted_ = *compacted;
  hub_ = std::make_shared<WatchHub>(
      [this](std::string_view prefix, int64_t after, int64_t through, int64_t limit) {
        return ReadHistory(prefix, after, through, limit);
      },
      revision,
      WatchHubOptions{.ring_events = options_.watch_ring_events,
                      .ring_bytes = options_.watch_ring_bytes,
                      .max_events_per_call = options_.watch_max_events_per_call},
      logger_);
  const size_t ttl_keys = expiries_.size();  // the writer owns expiries_ once it runs
  hub_->Start();
  writer_ = StartThread(logger_, "store-writer", [this] { WriterLoop(); });
  logger_.Info("Opened store", {{"path", path_},
                                {"created", opened.created},
                                {"revision", static_cast<long long>(revision)},
                                {"compactedRevision", static_cast<long long>(*compacted)},
                                {"ttlKeys", static_cast<unsigned long>(ttl_keys)}});
  return absl::OkStatus();
}

void SqliteStore::Close() {
  absl::MutexLock close_lock(&close_mu_);
  if (closed_) return;
  {
    absl::MutexLock lock(&queue_mu_);
    closing_ = true;
    queue_cv_.SignalAll();
  }
  if (writer_.joinable()) writer_.join();
  if (hub_ != nullptr) hub_->Stop(Closed());
  bool was_open;
  {
    absl::MutexLock lock(&db_mu_);
    was_open = db_ != nullptr;
    table_.reset();
    db_.reset();  // checkpoints the WAL into the file and removes it
  }
  closed_ = true;
  if (was_open) logger_.Info("Closed store", {{"path", path_}});
}

SqliteStoreStats SqliteStore::Stats() const {
  SqliteStoreStats s;
  s.commits = commits_;
  s.writes = writes_;
  s.requests = requests_;
  s.failed_comparisons = failed_comparisons_;
  s.largest_batch = largest_batch_;
  s.expired = expired_;
  s.compacted_rows = compacted_rows_;
  {
    absl::MutexLock lock(&queue_mu_);
    s.queued = static_cast<int64_t>(queue_.size());
  }
  if (vfs_ != nullptr) {
    s.syncs = vfs_->counters().syncs;
    s.bytes_written = vfs_->counters().bytes_written;
    s.wal_bytes_written = vfs_->counters().wal_bytes_written;
  }
  return s;
}

absl::Status SqliteStore::CheckKey(std::string_view op, std::string_view key) const {
  if (key.empty()) return absl::InvalidArgumentError(StrCat(op, ": empty key"));
  if (key.size() > options_.max_key_bytes) {
    return absl::InvalidArgumentError(StrCat(op, " ", key.substr(0, 64), "...: key is ",
                                             key.size(), " bytes, limit ",
                                             options_.max_key_bytes));
  }
  return absl::OkStatus();
}

// ---- Reads ----

absl::StatusOr<GetResult> SqliteStore::Get(std::string_view key) {
  RETURN_IF_ERROR(CheckKey("get", key));
  absl::MutexLock lock(&db_mu_);
  if (table_ == nullptr) return Closed();
  absl::StatusOr<std::optional<Row>> row = table_->Latest(key);
  if (!row.ok()) return Annotate(row.status(), StrCat("get ", key));
  GetResult result;
  result.revision = db_revision_;
  if (*row && !(*row)->deleted) result.kv = ToKeyValue(**row);
  return result;
}

absl::StatusOr<ListResult> SqliteStore::List(const ListOptions& options) {
  const std::string what = StrCat("list ", options.prefix);
  if (options.limit < 0 || options.revision < 0) {
    return absl::InvalidArgumentError(StrCat(what, ": negative limit or revision"));
  }
  absl::MutexLock lock(&db_mu_);
  if (table_ == nullptr) return Closed();
  const int64_t revision = options.revision == 0 ? db_revision_ : options.revision;
  if (revision > db_revision_) {
    return absl::InvalidArgumentError(
        StrCat(what, ": required revision ", revision, " is a future revision (current ",
               db_revision_, ")"));
  }
  if (revision < db_compacted_) return Annotate(CompactedError(revision, db_compacted_), what);
  absl::StatusOr<ListResult> result = table_->List(options, revision);
  if (!result.ok()) return Annotate(result.status(), what);
  return result;
}

absl::StatusOr<int64_t> SqliteStore::Count(std::string_view prefix) {
  absl::MutexLock lock(&db_mu_);
  if (table_ == nullptr) return Closed();
  absl::StatusOr<int64_t> n = table_->Count(prefix);
  if (!n.ok()) return Annotate(n.status(), StrCat("count ", prefix));
  return n;
}

absl::StatusOr<int64_t> SqliteStore::CurrentRevision() {
  if (closed_) return Closed();
  return revision_.load();
}

int64_t SqliteStore::CompactedRevision() { return compacted_.load(); }

absl::StatusOr<HistoryChunk> SqliteStore::ReadHistory(std::string_view prefix, int64_t after,
                                                      int64_t through, int64_t limit) {
  absl::MutexLock lock(&db_mu_);
  if (table_ == nullptr) return Closed();
  if (after < db_compacted_) {
    return Annotate(CompactedError(after + 1, db_compacted_), StrCat("watch ", prefix));
  }
  absl::StatusOr<HistoryChunk> chunk = table_->History(prefix, after, through, limit);
  if (!chunk.ok()) return Annotate(chunk.status(), StrCat("watch ", prefix));
  return chunk;
}

absl::StatusOr<std::unique_ptr<Watch>> SqliteStore::WatchPrefix(std::string_view prefix,
                                                                int64_t start_revision,
                                                                WatchSink* sink) {
  if (start_revision < 0) {
    return absl::InvalidArgumentError(StrCat("watch ", prefix, ": negative start revision"));
  }
  if (closed_) return Closed();
  const int64_t compacted = compacted_.load();
  if (start_revision < compacted) {
    return Annotate(CompactedError(start_revision + 1, compacted), StrCat("watch ", prefix));
  }
  // A compaction between this check and the first history read ends the watch with
  // OnClosed(kOutOfRange) (ReadHistory checks again under the lock).
  return hub_->Add(prefix, start_revision, sink);
}

// ---- Writes ----

absl::StatusOr<TxnResult> SqliteStore::Submit(Request& request) {
  {
    absl::MutexLock lock(&queue_mu_);
    if (closing_) return Closed();
    queue_.push_back(&request);
    queue_cv_.Signal();
  }
  request.done.WaitForNotification();
  return std::move(request.result);
}

absl::StatusOr<TxnResult> SqliteStore::Create(std::string_view key, std::string_view value,
                                              const WriteOptions& options) {
  RETURN_IF_ERROR(CheckKey("create", key));
  if (value.size() > options_.max_value_bytes) {
    return absl::InvalidArgumentError(StrCat("create ", key, ": value is ", value.size(),
                                             " bytes, limit ", options_.max_value_bytes));
  }
  if (options.ttl < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(StrCat("create ", key, ": negative TTL"));
  }
  Request r;
  r.kind = Request::Kind::kCreate;
  r.key = std::string(key);
  r.value = std::string(value);
  r.ttl = options.ttl;
  return Submit(r);
}

absl::StatusOr<TxnResult> SqliteStore::Update(std::string_view key, std::string_view value,
                                              int64_t expected_mod_revision,
                                              const WriteOptions& options) {
  RETURN_IF_ERROR(CheckKey("update", key));
  if (value.size() > options_.max_value_bytes) {
    return absl::InvalidArgumentError(StrCat("update ", key, ": value is ", value.size(),
                                             " bytes, limit ", options_.max_value_bytes));
  }
  if (expected_mod_revision < 0 || options.ttl < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        StrCat("update ", key, ": negative expected revision or TTL"));
  }
  Request r;
  r.kind = Request::Kind::kUpdate;
  r.key = std::string(key);
  r.value = std::string(value);
  r.expected = expected_mod_revision;
  r.ttl = options.ttl;
  return Submit(r);
}

absl::StatusOr<TxnResult> SqliteStore::Delete(std::string_view key,
                                              std::optional<int64_t> expected_mod_revision) {
  RETURN_IF_ERROR(CheckKey("delete", key));
  if (expected_mod_revision && *expected_mod_revision < 0) {
    return absl::InvalidArgumentError(StrCat("delete ", key, ": negative expected revision"));
  }
  Request r;
  r.kind = Request::Kind::kDelete;
  r.key = std::string(key);
  r.expected = expected_mod_revision;
  return Submit(r);
}

absl::Status SqliteStore::Compact(int64_t revision) {
  absl::MutexLock lock(&compact_mu_);
  if (closed_) return Closed();
  const int64_t current = revision_.load();
  if (revision > current) {
    return absl::InvalidArgumentError(StrCat("compact to ", revision,
                                             ": beyond the current revision ", current));
  }
  int64_t from = compacted_.load();
  const int64_t chunk = std::max<int64_t>(1, options_.compact_chunk_revisions);
  while (from < revision) {
    const int64_t through = std::min(revision, from + chunk);
    Request r;
    r.kind = Request::Kind::kCompact;
    r.compact_through = through;
    absl::StatusOr<TxnResult> done = Submit(r);
    if (!done.ok()) return Annotate(done.status(), StrCat("compact to ", revision));
    from = through;
  }
  return absl::OkStatus();
}

void SqliteStore::WriterLoop() {
  while (true) {
    std::vector<Request*> batch;
    bool closing;
    {
      absl::MutexLock lock(&queue_mu_);
      if (queue_.empty() && !closing_) {
        queue_cv_.WaitWithTimeout(&queue_mu_, options_.expiry_poll_interval);
      }
      const size_t n = std::min(queue_.size(), static_cast<size_t>(std::max(1, options_.max_batch)));
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      closing = closing_;
    }
    std::vector<std::unique_ptr<Request>> expiries;
    if (!closing && static_cast<int>(batch.size()) < options_.max_batch) {
      TakeDueExpiries(&expiries, static_cast<size_t>(options_.max_batch) - batch.size());
    }
    for (auto& e : expiries) batch.push_back(e.get());
    if (batch.empty()) {
      if (closing) return;  // queue drained
      continue;
    }
    // A request that throws inside the transaction fails alone (ExecuteBatch); anything else that
    // throws fails this batch's unanswered requests, and the writer goes on with the next.
    (void)RunGuarded(logger_, "store-writer", "write a batch", [&] { ExecuteBatch(batch); });
    for (Request* r : batch) {
      if (r->kind != Request::Kind::kExpire) r->done.Notify();
    }
  }
}

void SqliteStore::TakeDueExpiries(std::vector<std::unique_ptr<Request>>* out, size_t max) {
  const int64_t now_us = absl::ToUnixMicros(clock_->Now());
  while (!expiries_.empty() && expiries_.top().at_us <= now_us && out->size() < max) {
    Expiry e = expiries_.top();
    expiries_.pop();
    auto r = std::make_unique<Request>();
    r->kind = Request::Kind::kExpire;
    r->key = std::move(e.key);
    r->expected = e.mod_revision;
    r->expires_at_us = e.at_us;
    out->push_back(std::move(r));
  }
}

void SqliteStore::ExecuteBatch(const std::vector<Request*>& batch) {
  BatchState state;
  absl::Status failure;
  bool from_apply = false;
  {
    absl::MutexLock lock(&db_mu_);
    state.revision = db_revision_;
    state.compacted = db_compacted_;
    failure = db_->Exec("BEGIN IMMEDIATE");
    if (failure.ok()) {
      for (Request* r : batch) {
        absl::Status thrown = RunGuarded(logger_, "store-writer", "apply a write request",
                                         [&] { failure = Apply(*r, state); });
        if (!thrown.ok()) failure = Annotate(thrown, StrCat(r->op_name(), " ", r->key));
        if (!failure.ok()) {
          // Already names the operation and key; only the file is missing.
          failure = Annotate(failure, StrCat("store ", path_));
          from_apply = true;
          break;
        }
      }
    }
    if (failure.ok() && options_.test_before_commit) {
      failure = RunGuarded(logger_, "store-writer", "before commit", options_.test_before_commit);
    }
    if (failure.ok()) failure = db_->Exec("COMMIT");
    if (!failure.ok()) {
      // A failed COMMIT may have rolled back already; roll back whatever is still open.
      if (sqlite3_get_autocommit(db_->handle()) == 0) (void)db_->Exec("ROLLBACK");
    } else {
      db_revision_ = state.revision;
      db_compacted_ = state.compacted;
      // Under the lock: once a read can see a write, CurrentRevision includes it.
      revision_ = state.revision;
      compacted_ = state.compacted;
    }
  }
  if (!failure.ok()) {
    logger_.Error("Store write batch failed",
                  {{"path", path_}, {"requests", static_cast<unsigned long>(batch.size())},
                   {"err", failure}});
    if (batch.size() > 1) {
      // One request may have caused it: run each alone, so only that one fails.
      for (Request* r : batch) ExecuteBatch({r});
      return;
    }
    for (Request* r : batch) {
      if (r->kind == Request::Kind::kExpire) {
        expiries_.push(Expiry{r->expires_at_us, r->key, *r->expected});  // retry at the next poll
      } else {
        // Every request of the batch fails with the batch (its transaction rolled back).
        r->result = from_apply ? failure
                               : Annotate(failure, StrCat(r->op_name(), " ", r->key, ": store ",
                                                          path_));
      }
    }
    return;
  }
  commits_.fetch_add(1);
  requests_.fetch_add(static_cast<int64_t>(batch.size()));
  writes_.fetch_add(static_cast<int64_t>(state.events.size()));
  failed_comparisons_.fetch_add(state.failed_comparisons);
  expired_.fetch_add(state.expired);
  compacted_rows_.fetch_add(state.compacted_rows);
  int64_t largest = largest_batch_.load();
  while (static_cast<int64_t>(batch.size()) > largest &&
         !largest_batch_.compare_exchange_weak(largest, static_cast<int64_t>(batch.size()))) {
  }
  for (Expiry& e : state.expiries) expiries_.push(std::move(e));
  // Before anyone is acknowledged: a client that watches from the revision it was given must
  // find the event there.
  hub_->Publish(std::move(state.events), state.revision);
}

absl::Status SqliteStore::Apply(Request& r, BatchState& batch) {
  if (r.kind == Request::Kind::kCompact) {
    if (r.compact_through > batch.compacted) {
      absl::StatusOr<int64_t> removed = table_->CompactRange(batch.compacted, r.compact_through);
      if (!removed.ok()) {
        return Annotate(removed.status(), StrCat("compact to ", r.compact_through));
      }
      RETURN_IF_ERROR(table_->SetCompactRevision(r.compact_through));
      batch.compacted_rows += *removed;
      batch.compacted = r.compact_through;
    }
    r.result = TxnResult{.succeeded = true, .current = std::nullopt, .revision = batch.revision};
    return absl::OkStatus();
  }

  const char* op = r.op_name();
  absl::StatusOr<std::optional<Row>> latest_or = table_->Latest(r.key);
  if (!latest_or.ok()) return Annotate(latest_or.status(), StrCat(op, " ", r.key));
  const std::optional<Row>& latest = *latest_or;
  const bool live = latest && !latest->deleted;
  const int64_t mod = live ? latest->id : 0;
  auto fail = [&]() {
    // An expiry that lost to a newer write is expected, not a conflict.
    if (r.kind != Request::Kind::kExpire) ++batch.failed_comparisons;
    r.result = TxnResult{.succeeded = false,
                         .current = live ? std::optional<KeyValue>(ToKeyValue(*latest))
                                         : std::nullopt,
                         .revision = batch.revision};
    return absl::OkStatus();
  };

  const int64_t id = batch.revision + 1;
  Row row;
  row.id = id;
  row.name = r.key;
  std::optional<KeyValue> prev;
  switch (r.kind) {
    case Request::Kind::kCreate:
    case Request::Kind::kUpdate:
      if (r.kind == Request::Kind::kCreate ? live : mod != *r.expected) return fail();
      row.value = r.value;  // kept: a failed batch is retried request by request
      if (live) {
        row.create_revision = latest->create_revision;
        prev = ToKeyValue(*latest);
      } else {
        row.create_revision = id;
      }
      // After a delete, a create points back at the delete row (kine's convention).
      row.prev_revision = latest ? latest->id : 0;
      if (r.ttl > absl::ZeroDuration()) {
        row.expires_at_us = absl::ToUnixMicros(clock_->Now() + r.ttl);
        batch.expiries.push_back(Expiry{row.expires_at_us, r.key, id});
      }
      break;
    case Request::Kind::kDelete:
    case Request::Kind::kExpire:
      if (!live || (r.expected && *r.expected != mod)) return fail();
      row.deleted = true;
      row.create_revision = latest->create_revision;
      row.prev_revision = latest->id;
      prev = ToKeyValue(*latest);
      break;
    case Request::Kind::kCompact:
      break;
  }
  RETURN_IF_ERROR(Annotate(table_->Insert(row), StrCat(op, " ", r.key)));
  batch.revision = id;
  TxnResult result{.succeeded = true, .current = std::nullopt, .revision = id};
  if (row.deleted) {
    KeyValue last = *prev;
    last.mod_revision = id;
    result.current = std::move(last);
    if (r.kind == Request::Kind::kExpire) ++batch.expired;
  } else {
    result.current = ToKeyValue(row);
  }
  batch.events.push_back(MakeEvent(row, std::move(prev)));
  r.result = std::move(result);
  return absl::OkStatus();
}

}  // namespace cubelet::storage::sqlite
