// Owns: cubelet-server's embedded durable store: storage::Store on one SQLite file
// (DIR/state.db) in WAL mode with synchronous=FULL and exclusive locking, written by a single
// writer thread that group-commits (all pending writes in one transaction and one fsync, each
// its own compare-and-swap), with watches (watch_hub.h), TTLs that survive restarts, and
// compaction by revision.
// Does not own: the file's layout and identity checks (schema.h), the SQL (kv_table.h), when to
// compact (storage/compactor.h), what values mean (registry/).
//
// Threads: callers block in Create/Update/Delete until the batch holding their write has
// committed; reads share the one connection with the writer (they wait at most one commit);
// watch callbacks run on the hub's dispatcher thread, never on the writer, so a slow sink
// cannot stall commits. TTL deletions are issued by the writer itself when it is idle.
//
// Watches: history from the table, then live events, each revision once and in order. A watch
// may start at a future revision (it begins when that revision is written). A watch that has
// caught up gets OnProgress(revision) when writes of other prefixes move the revision past it.
// A compaction that overtakes a replaying watch ends it with OnClosed(kOutOfRange); closing
// the store ends every watch with OnClosed(kUnavailable).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "storage/store.h"

namespace cubelet::storage::sqlite {

class CountingVfs;
class Database;
class KvTable;
class WatchHub;
struct HistoryChunk;

struct SqliteStoreOptions {
  // Page size of a new file. 1024 keeps idle wear low: a Lease renewal rewrites a handful of
  // pages (table leaf, index leaf, sometimes an interior page) and each is a WAL frame of
  // page_size + 24 bytes. Measured on this VM (ext4 on virtio, fsync ~5 ms), one 420-byte Lease
  // renewed every 10 s beside 30 pods and a node, 3600 renewals, checkpoints included:
  //   page_size 1024: 30 KiB/min through SQLite (26 of it WAL), 55 KiB/min in /proc/self/io
  //   page_size 4096: 64 KiB/min through SQLite (60 of it WAL), 88 KiB/min in /proc/self/io
  // and once the compactor runs every minute (past 10,000 revisions; secure_delete=FAST):
  //   page_size 1024: 43 KiB/min through SQLite, 73 KiB/min in /proc/self/io
  //   page_size 4096: 95 KiB/min through SQLite, 123 KiB/min in /proc/self/io
  // Creates of 2.5 KB values cost the same with either: 1 writer ~215/s (raw SQLite
  // INSERT+fsync: ~175/s), 10 writers ~1,900-2,200/s (10 per fsync is the bound), 50 writers
  // ~5,200-5,400/s.
  int page_size = 1024;
  int64_t cache_size_kib = 16 * 1024;
  int64_t wal_autocheckpoint_pages = 1000;
  bool quick_check_on_open = true;
  // A cap on the database file; a write that would grow it further fails with
  // kResourceExhausted (the others of its batch are unaffected). 0 = no cap.
  int64_t max_db_bytes = 0;
  // At most this many writes per transaction.
  int max_batch = 1000;
  // How often (real time) the idle writer looks for expired TTLs; due times come from the
  // injected Clock.
  absl::Duration expiry_poll_interval = absl::Seconds(1);
  size_t max_key_bytes = 8 * 1024;
  size_t max_value_bytes = 32 * 1024 * 1024;
  // Compact(rev) removes rows in transactions of at most this many revisions, so writes are
  // never held up long.
  int64_t compact_chunk_revisions = 10000;
  // Watches: the most recent events are kept in memory (at most this many, and this many bytes
  // of keys and values); watches further behind read the table. At most
  // watch_max_events_per_call events per WatchSink::OnEvents.
  size_t watch_ring_events = 10000;
  size_t watch_ring_bytes = 32 * 1024 * 1024;
  int64_t watch_max_events_per_call = 1000;
  // Tests only: runs on the writer thread just before each COMMIT (to stall the writer, or to
  // make a fast disk behave like a slow one).
  std::function<void()> test_before_commit;
};

// Counters since open, for tests and benchmarks.
struct SqliteStoreStats {
  int64_t commits = 0;             // transactions committed by the writer
  int64_t writes = 0;              // revisions written (successful creates, updates, deletes)
  int64_t requests = 0;            // write requests executed, failed comparisons included
  int64_t failed_comparisons = 0;
  int64_t largest_batch = 0;       // most requests in one transaction
  int64_t expired = 0;             // keys deleted because their TTL passed
  int64_t compacted_rows = 0;
  int64_t queued = 0;              // write requests waiting for the writer right now
  int64_t syncs = 0;               // fsync/fdatasync calls on the database and WAL
  int64_t bytes_written = 0;       // to the database and WAL files
  int64_t wal_bytes_written = 0;
};

class SqliteStore final : public Store {
 public:
  ~SqliteStore() override;

  // Finishes the writes already queued, ends every watch with OnClosed(kUnavailable), and
  // closes the file (checkpointing the WAL). Later calls fail with kUnavailable. Idempotent.
  void Close();
  SqliteStoreStats Stats() const ABSL_LOCKS_EXCLUDED(queue_mu_);
  const std::string& path() const { return path_; }

  absl::StatusOr<GetResult> Get(std::string_view key) override;
  absl::StatusOr<ListResult> List(const ListOptions& options) override;
  absl::StatusOr<int64_t> Count(std::string_view prefix) override;
  absl::StatusOr<TxnResult> Create(std::string_view key, std::string_view value,
                                   const WriteOptions& options = {}) override;
  absl::StatusOr<TxnResult> Update(std::string_view key, std::string_view value,
                                   int64_t expected_mod_revision,
                                   const WriteOptions& options = {}) override;
  absl::StatusOr<TxnResult> Delete(std::string_view key,
                                   std::optional<int64_t> expected_mod_revision) override;
  absl::StatusOr<std::unique_ptr<Watch>> WatchPrefix(std::string_view prefix,
                                                     int64_t start_revision,
                                                     WatchSink* sink) override;
  absl::StatusOr<int64_t> CurrentRevision() override;
  int64_t CompactedRevision() override;
  absl::Status Compact(int64_t revision) override;

 private:
  friend absl::StatusOr<std::unique_ptr<SqliteStore>> NewSqliteStore(
      std::string_view data_dir, const SqliteStoreOptions& options, Clock* clock, Logger logger);
  struct Request;
  struct BatchState;
  struct Expiry {
    int64_t at_us;
    std::string key;
    int64_t mod_revision;
    bool operator>(const Expiry& o) const { return at_us > o.at_us; }
  };
  using ExpiryQueue = std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>>;

  SqliteStore(std::string path, const SqliteStoreOptions& options, Clock* clock, Logger logger);
  absl::Status Open();

  absl::Status CheckKey(std::string_view op, std::string_view key) const;
  absl::StatusOr<TxnResult> Submit(Request& request);
  void WriterLoop();
  void TakeDueExpiries(std::vector<std::unique_ptr<Request>>* out, size_t max);
  void ExecuteBatch(const std::vector<Request*>& batch);
  // Applies one request inside the open transaction. A failed comparison sets the request's
  // result and returns OK; an error aborts the whole batch.
  absl::Status Apply(Request& r, BatchState& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  absl::StatusOr<HistoryChunk> ReadHistory(std::string_view prefix, int64_t after,
                                           int64_t through, int64_t limit);

  const std::string path_;
  const SqliteStoreOptions options_;
  Clock* const clock_;
  const Logger logger_;

  std::unique_ptr<CountingVfs> vfs_;  // set by Open, kept until destruction (outlives db_)

  // The connection and everything read through it. The writer holds it for a whole batch.
  mutable absl::Mutex db_mu_;
  std::unique_ptr<Database> db_ ABSL_GUARDED_BY(db_mu_);
  std::unique_ptr<KvTable> table_ ABSL_GUARDED_BY(db_mu_);
  int64_t db_revision_ ABSL_GUARDED_BY(db_mu_) = 0;   // newest committed revision
  int64_t db_compacted_ ABSL_GUARDED_BY(db_mu_) = 0;  // newest compacted revision
  // Mirrors of the two for lock-free reads.
  std::atomic<int64_t> revision_{0};
  std::atomic<int64_t> compacted_{0};

  // Write requests waiting for the writer.
  mutable absl::Mutex queue_mu_;
  absl::CondVar queue_cv_;
  std::vector<Request*> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool closing_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Owned by the writer thread (filled before it starts).
  ExpiryQueue expiries_;

  // One Compact at a time: its chunks must run in order.
  absl::Mutex compact_mu_;

  std::shared_ptr<WatchHub> hub_;
  std::jthread writer_;
  std::atomic<bool> closed_{false};
  absl::Mutex close_mu_;  // serialises Close

  std::atomic<int64_t> commits_{0}, writes_{0}, requests_{0}, failed_comparisons_{0},
      largest_batch_{0}, expired_{0}, compacted_rows_{0};
};

// Opens (creating if needed, mode 0700 for the directory and 0600 for the file)
// `data_dir`/state.db. Errors name the file: see schema.h. `clock` must outlive the store.
absl::StatusOr<std::unique_ptr<SqliteStore>> NewSqliteStore(std::string_view data_dir,
                                                            const SqliteStoreOptions& options,
                                                            Clock* clock, Logger logger);

}  // namespace cubelet::storage::sqlite
