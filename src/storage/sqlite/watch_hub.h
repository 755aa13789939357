// Owns: the store's watches: a ring of the most recent events (one per revision, in order), a
// cursor per watch (every revision up to it has been delivered or skipped), and the dispatcher
// thread that moves each cursor forward, from the ring when it still holds the next revision and
// from the table (through a HistoryReader) when it does not. Because a cursor only ever moves
// over revisions that are committed and published, a watch sees each change of its prefix
// exactly once, in order, whether it starts in the past, in the present, or while writes go on.
// Does not own: the table or the lock around it (the HistoryReader takes them), compaction
// checks at the start of a watch (the store makes them).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/logger.h"
#include "storage/sqlite/kv_table.h"
#include "storage/store.h"

namespace cubelet::storage::sqlite {

struct WatchHubOptions {
  // The ring keeps at most this many recent events and this many bytes of keys and values;
  // watches further behind read the table.
  size_t ring_events = 10000;
  size_t ring_bytes = 32 << 20;
  // At most this many events per OnEvents call.
  int64_t max_events_per_call = 1000;
};

// Thread-safe. Shared by the store and every Watch handle, so a handle may outlive the store.
class WatchHub : public std::enable_shared_from_this<WatchHub> {
 public:
  // Changes of `prefix` in (after, through], at most `limit`. kOutOfRange when `after` is below
  // the compacted revision. Called from the dispatcher thread without the hub's lock held.
  using HistoryReader = std::function<absl::StatusOr<HistoryChunk>(
      std::string_view prefix, int64_t after, int64_t through, int64_t limit)>;

  WatchHub(HistoryReader reader, int64_t revision, WatchHubOptions options, Logger logger);
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  void Start();
  // Ends every watch with OnClosed(reason) and joins the dispatcher. Later Adds fail.
  void Stop(const absl::Status& reason);

  // A watch of `prefix` whose cursor starts at `start_revision`. kUnavailable after Stop.
  absl::StatusOr<std::unique_ptr<Watch>> Add(std::string_view prefix, int64_t start_revision,
                                             WatchSink* sink);
  // The events of the writes with revisions (previous revision, revision], one per revision, in
  // order. Called by the store's writer after each commit, before acknowledging it.
  void Publish(std::vector<Event> events, int64_t revision);

  int64_t revision() const;
  size_t watch_count() const;

 private:
  struct Watcher {
    std::string prefix;
    WatchSink* sink = nullptr;
    int64_t cursor = 0;    // every revision up to here has been handled
    int64_t notified = 0;  // the newest revision reported (events or progress)
  };
  class Handle;

  void Remove(int64_t id);
  void Run();
  // Moves one watcher forward by at most one call's worth of events. Called with mu_ held;
  // releases it around history reads and callbacks.
  void Advance(int64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Tells the sink its watch ended with `error` and drops the watch.
  void EndWatch(int64_t id, const std::string& prefix, WatchSink* sink, const absl::Status& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `call` (a sink or the history reader) with mu_ released and watch `id` marked busy, so
  // that its Remove waits; a throw is logged and returned as INTERNAL.
  absl::Status CallOut(int64_t id, std::string_view what, absl::FunctionRef<void()> call)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Trim() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const HistoryReader reader_;
  const WatchHubOptions options_;
  const Logger logger_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;  // work arrived, stop, or a delivery finished
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status stop_reason_ ABSL_GUARDED_BY(mu_);
  int64_t revision_ ABSL_GUARDED_BY(mu_);
  std::deque<Event> ring_ ABSL_GUARDED_BY(mu_);
  int64_t ring_first_ ABSL_GUARDED_BY(mu_);  // revision of ring_.front() (revision_+1 if empty)
  size_t ring_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int64_t, Watcher> watchers_ ABSL_GUARDED_BY(mu_);
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  // The watcher the dispatcher is reading for or calling back right now (0: none); Remove
  // waits for it to change so that no callback runs after a Watch is destroyed.
  int64_t busy_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id dispatcher_id_ ABSL_GUARDED_BY(mu_);
  std::jthread thread_;  // started by Start, joined by Stop (or by the destructor)
};

}  // namespace cubelet::storage::sqlite
