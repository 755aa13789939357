// Owns: the physical limits the API server benchmark compares against, measured on SQLite
// directly with the store's durability (WAL, synchronous=FULL, exclusive locking) and the
// store's table shape (kv with an index on name): inserts with one commit (one WAL fsync) each
// from N threads, inserts batched N to a commit, and reading every pod straight out of a store
// file with the store's own list query.
// Does not own: the server or its store (raw SQLite only, through the C API).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cubelet::bench {

struct RawInsertResult {
  int64_t rows = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // per commit, waiting for the connection included
};

// Inserts `value` under distinct names into a new database file `path` until `max_rows` rows or
// `max_seconds` have passed: `threads` threads share one connection (SQLite has one writer;
// the mutex is cheaper than the busy handler's sleeps), each transaction holds `batch` inserts.
absl::StatusOr<RawInsertResult> RawInsert(const std::string& path, int threads, int batch, int64_t max_rows,
                                          double max_seconds, const std::string& value);

struct RawReadResult {
  int64_t rows = 0;
  int64_t bytes = 0;
  std::vector<double> latencies_ms;  // per full read
};

// Opens the (stopped) server's store file and reads every key under `prefix` with its value,
// `repetitions` times: with the store's list query (the newest live row of each name), or, when
// `store_query` is false, every row of the range as it lies (the floor: no history filter).
absl::StatusOr<RawReadResult> RawReadAll(const std::string& path, const std::string& prefix, int repetitions,
                                         bool store_query);

}  // namespace cubelet::bench
