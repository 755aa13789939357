// Owns: a pass-through SQLite VFS over the default one that counts, per store, the bytes
// written and the syncs (fsync/fdatasync) issued, so that tests can prove group commit shares
// fsyncs and benchmarks can report write volume without reading /proc.
// Does not own: any I/O policy; every call goes to the default VFS unchanged.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace cubelet::storage::sqlite {

struct VfsCounters {
  std::atomic<int64_t> bytes_written{0};  // through xWrite, all files (database, WAL)
  std::atomic<int64_t> wal_bytes_written{0};
  std::atomic<int64_t> syncs{0};          // xSync calls, all files
};

// A registered VFS named uniquely for one store; unregistered on destruction (after every
// connection that uses it is closed).
class CountingVfs {
 public:
  static absl::StatusOr<std::unique_ptr<CountingVfs>> Register();
  ~CountingVfs();
  CountingVfs(const CountingVfs&) = delete;
  CountingVfs& operator=(const CountingVfs&) = delete;

  const char* name() const { return name_.c_str(); }
  const VfsCounters& counters() const { return counters_; }

 private:
  CountingVfs() = default;

  std::string name_;
  sqlite3_vfs vfs_{};
  VfsCounters counters_;
};

}  // namespace cubelet::storage::sqlite
