#include "apiserver_raw_sqlite.h"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "common/strings.h"
#include "storage/sqlite/schema.h"

namespace cubelet::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }


class Db {
 public:
  ~Db() {
    if (insert_ != nullptr) sqlite3_finalize(insert_);
    if (db_ != nullptr) sqlite3_close(db_);
  }

  absl::Status Open(const std::string& path, int flags) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) return Error(rc, StrCat("open ", path));
    return absl::OkStatus();
  }

  absl::Status Exec(const std::string& sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    std::string text = message != nullptr ? message : "";
    sqlite3_free(message);
    if (rc != SQLITE_OK) return absl::InternalError(StrCat(sql.substr(0, 60), ": ", text));
    return absl::OkStatus();
  }

  absl::Status PrepareInsert() {
    int rc = sqlite3_prepare_v2(db_,
                                "INSERT INTO kv (name, deleted, create_revision, prev_revision, expires_at, value) "
                                "VALUES (?1, 0, 0, 0, 0, ?2)",
                                -1, &insert_, nullptr);
    return rc == SQLITE_OK ? absl::OkStatus() : Error(rc, "prepare insert");
  }

  absl::Status Insert(const std::string& name, const std::string& value) {
    sqlite3_reset(insert_);
    sqlite3_bind_blob(insert_, 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
    sqlite3_bind_blob(insert_, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    int rc = sqlite3_step(insert_);
    return rc == SQLITE_DONE ? absl::OkStatus() : Error(rc, "insert");
  }

  sqlite3* handle() { return db_; }

  absl::Status Error(int rc, const std::string& what) {
    return absl::InternalError(StrCat(what, ": ", db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

// What the store sets on its connections (src/storage/sqlite/schema.cc Configure), and its page size.
absl::Status ConfigureLikeTheStore(Db& db) {
  for (const char* pragma : {"PRAGMA page_size=1024", "PRAGMA locking_mode=EXCLUSIVE", "PRAGMA journal_mode=WAL",
                             "PRAGMA synchronous=FULL", "PRAGMA wal_autocheckpoint=1000", "PRAGMA cache_size=-16384",
                             "PRAGMA temp_store=MEMORY"}) {
    if (absl::Status s = db.Exec(pragma); !s.ok()) return s;
  }
  return db.Exec(storage::sqlite::kCreateSchemaSql);
}

}  // namespace

absl::StatusOr<RawInsertResult> RawInsert(const std::string& path, int threads, int batch, int64_t max_rows,
                                          double max_seconds, const std::string& value) {
  Db db;
  if (absl::Status s = db.Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX); !s.ok()) {
    return s;
  }
  if (absl::Status s = ConfigureLikeTheStore(db); !s.ok()) return s;
  if (absl::Status s = db.PrepareInsert(); !s.ok()) return s;

  std::mutex mu;  // the one writer connection
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  absl::Status failure;  // guarded by mu
  std::vector<std::vector<double>> latencies(static_cast<size_t>(threads));
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(max_seconds));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (!failed && Clock::now() < deadline) {
        const int64_t first = next.fetch_add(batch);
        if (first >= max_rows) break;
        const Clock::time_point begin = Clock::now();
        std::lock_guard<std::mutex> lock(mu);
        absl::Status s = db.Exec("BEGIN IMMEDIATE");
        for (int64_t i = first; s.ok() && i < first + batch; ++i) {
          s = db.Insert(StrCat("/registry/pods/default/raw-", i), value);
        }
        if (s.ok()) s = db.Exec("COMMIT");  // synchronous=FULL: the WAL is fsynced here
        if (!s.ok()) {
          failure = s;
          failed = true;
          return;
        }
        latencies[static_cast<size_t>(t)].push_back(Ms(Clock::now() - begin));
      }
    });
  }
  for (std::thread& w : workers) w.join();
  if (failed) return failure;
  RawInsertResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& l : latencies) result.latencies_ms.insert(result.latencies_ms.end(), l.begin(), l.end());
  result.rows = static_cast<int64_t>(result.latencies_ms.size()) * batch;
  return result;
}

absl::StatusOr<RawReadResult> RawReadAll(const std::string& path, const std::string& prefix, int repetitions,
                                         bool store_query) {
  Db db;
  // Read-write only so that a WAL left next to the file can be read; nothing is written.
  if (absl::Status s = db.Open(path, SQLITE_OPEN_READWRITE); !s.ok()) return s;
  // The store's list query (src/storage/sqlite/kv_table.cc KvTable::List): the newest live row of
  // each name in the prefix's range, in name order.
  std::string end = prefix;
  end.back() = static_cast<char>(end.back() + 1);
  sqlite3_stmt* st = nullptr;
  const char* sql = store_query ? "SELECT id, name, create_revision, value FROM kv AS k WHERE name >= ?1 AND "
                                  "name < ?2 AND deleted = 0 AND NOT EXISTS (SELECT 1 FROM kv AS n WHERE "
                                  "n.name = k.name AND n.id > k.id) ORDER BY name"
                                : "SELECT id, name, create_revision, value FROM kv WHERE name >= ?1 AND name < ?2";
  int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &st, nullptr);
  if (rc != SQLITE_OK) return db.Error(rc, "prepare list");
  RawReadResult result;
  for (int r = -1; r < repetitions; ++r) {  // the first read warms SQLite's page cache, as the server's is
    const Clock::time_point begin = Clock::now();
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, prefix.data(), static_cast<int>(prefix.size()), SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, end.data(), static_cast<int>(end.size()), SQLITE_STATIC);
    // Copied out as the store does (a key and a value string per row).
    std::vector<std::pair<std::string, std::string>> rows;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      rows.emplace_back(
          std::string(static_cast<const char*>(sqlite3_column_blob(st, 1)), static_cast<size_t>(sqlite3_column_bytes(st, 1))),
          std::string(static_cast<const char*>(sqlite3_column_blob(st, 3)), static_cast<size_t>(sqlite3_column_bytes(st, 3))));
    }
    if (rc != SQLITE_DONE) {
      sqlite3_finalize(st);
      return db.Error(rc, "list");
    }
    if (r >= 0) result.latencies_ms.push_back(Ms(Clock::now() - begin));
    result.rows = static_cast<int64_t>(rows.size());
    result.bytes = 0;
    for (const auto& [k, v] : rows) result.bytes += static_cast<int64_t>(v.size());
  }
  sqlite3_finalize(st);
  return result;
}

}  // namespace cubelet::bench
