// Owns: the Store interface every cubelet-server storage backend implements (the embedded
// SQLite store now, etcd v3 later) and the value types it speaks: revisioned keys, lists at a
// revision, compare-and-swap writes, watches from a revision, TTLs and compaction. The shape is
// etcd v3's (upstream apiserver/pkg/storage talks to etcd through exactly these operations), so
// nothing above this interface knows which backend it has.
// Does not own: what the bytes mean (registry/ encodes API objects), caching (storage/cacher).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cubelet::storage {

// One key at one revision. Revisions are a single store-wide counter that every write
// increments: the revision of a write is the resourceVersion the API server shows.
struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;  // the revision that created this incarnation of the key
  int64_t mod_revision = 0;     // the revision of its last write
};

struct GetResult {
  std::optional<KeyValue> kv;  // nullopt: the key does not exist
  int64_t revision = 0;        // the store's revision the read was served at
};

struct ListOptions {
  std::string prefix;        // keys that start with it ("/registry/pods/default/")
  std::string start_after;   // resume strictly after this key (paging); "" = from the start
  int64_t limit = 0;         // at most this many keys; 0 = all
  int64_t revision = 0;      // read the keyspace as of this revision; 0 = current
};

struct ListResult {
  std::vector<KeyValue> kvs;  // in key order
  int64_t revision = 0;       // the revision read at (options.revision, or the current one)
  bool more = false;          // keys remain after the last one returned
};

struct WriteOptions {
  // The key is deleted by the store this long after this write (events); zero = never.
  absl::Duration ttl = absl::ZeroDuration();
};

// The outcome of a compare-and-swap write. A failed comparison is not an error: `succeeded`
// is false and `current` holds what the key is now, so the caller can retry (upstream's
// GuaranteedUpdate) or report a conflict.
struct TxnResult {
  bool succeeded = false;
  // Succeeded: the key as written (for Delete, its last value with mod_revision = the delete's
  // revision). Failed: the key's current state, nullopt when it does not exist.
  std::optional<KeyValue> current;
  int64_t revision = 0;  // the store's revision after the call
};

enum class EventType { kPut, kDelete };

// One change, as etcd's mvccpb.Event: for kPut, `kv` is the new state and `prev_kv` the state
// before (nullopt on creation); for kDelete, `kv.key` and `kv.mod_revision` (the delete's
// revision) are set and `prev_kv` is the last state.
struct Event {
  EventType type = EventType::kPut;
  KeyValue kv;
  std::optional<KeyValue> prev_kv;
};

// Receives the events of one watch in revision order, each revision once. Called from a
// thread of the store's, never concurrently for one watch; it must not block and must not call
// back into the store. `progress_revision` > 0 without events says the watch has seen every
// change up to that revision (etcd's progress notification).
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  virtual void OnEvents(std::vector<Event> events) = 0;
  virtual void OnProgress(int64_t progress_revision) { (void)progress_revision; }
  // The watch ended on the store's side (store closing, or it fell too far behind); no more
  // calls follow.
  virtual void OnClosed(const absl::Status& reason) { (void)reason; }
};

// A running watch; destroying it stops delivery (blocking until no callback is running).
class Watch {
 public:
  virtual ~Watch() = default;
};

// Thread-safe. Every write is durable when it returns successfully (an acknowledged write
// survives a crash of the process or the machine). Errors: kOutOfRange when a revision has been
// compacted away (with "required revision has been compacted" in the message), kUnavailable
// when the store is closed or its backend is unreachable, kInternal/kDataLoss for I/O and
// corruption; a failed comparison is a TxnResult, not an error.
class Store {
 public:
  virtual ~Store() = default;

  virtual absl::StatusOr<GetResult> Get(std::string_view key) = 0;
  virtual absl::StatusOr<ListResult> List(const ListOptions& options) = 0;
  // How many keys start with `prefix` now.
  virtual absl::StatusOr<int64_t> Count(std::string_view prefix) = 0;

  // Creates `key` if it does not exist (etcd: Txn mod_revision(key) == 0 → put).
  virtual absl::StatusOr<TxnResult> Create(std::string_view key, std::string_view value,
                                           const WriteOptions& options = {}) = 0;
  // Writes `key` if its mod_revision is `expected_mod_revision` (etcd: Txn mod_revision(key) ==
  // rev → put, else get).
  virtual absl::StatusOr<TxnResult> Update(std::string_view key, std::string_view value,
                                           int64_t expected_mod_revision,
                                           const WriteOptions& options = {}) = 0;
  // Deletes `key` if its mod_revision is `expected_mod_revision`, or unconditionally when
  // nullopt. Deleting a missing key does not succeed (current = nullopt).
  virtual absl::StatusOr<TxnResult> Delete(std::string_view key,
                                           std::optional<int64_t> expected_mod_revision) = 0;

  // Delivers every change of keys starting with `prefix` after `start_revision` (history first,
  // then live changes) to `sink`, which must outlive the returned Watch. kOutOfRange when
  // start_revision + 1 has been compacted.
  virtual absl::StatusOr<std::unique_ptr<Watch>> WatchPrefix(std::string_view prefix, int64_t start_revision,
                                                             WatchSink* sink) = 0;

  // The revision of the newest write, and the newest revision compacted away (0 = none).
  virtual absl::StatusOr<int64_t> CurrentRevision() = 0;
  virtual int64_t CompactedRevision() = 0;
  // Forgets superseded versions at or below `revision`; reads and watches older than it then
  // fail with kOutOfRange.
  virtual absl::Status Compact(int64_t revision) = 0;
};

// "required revision has been compacted" errors, recognised by code.
inline bool IsCompacted(const absl::Status& s) { return s.code() == absl::StatusCode::kOutOfRange; }

}  // namespace cubelet::storage
