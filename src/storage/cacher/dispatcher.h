// Owns: the client watches of one cacher and the thread that calls their sinks (upstream
// cacher.go dispatchEvents and cache_watcher.go): one FIFO of changes, registrations and
// removals; delivery of each watcher's initial events, then every later change converted by its
// selectors; buckets by indexed-field value, name and namespace so a change visits only the
// watchers that can want it; periodic bookmarks; and the watches too old for the ring, served
// from a dedicated store watch each.
// Does not own: the cached state (watch_cache.h) or the cache's own store watch (cacher.cc).
//
// Locking: sinks are called only from the dispatch thread, holding only that watcher's
// call_mu, so a sink may call Watch(), List() or destroy any handle (its own included).
// Enqueueing takes only the queue's mutex, so the cache enqueues under its own lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "storage/cacher/cache_event.h"
#include "storage/cacher/cacher.h"
#include "storage/store.h"

namespace cubelet::storage::cacher::internal {

// One client watch. Created by Cacher::Watch, then shared by its handle and the dispatcher.
struct Watcher {
  Watcher(Filter filter, WatchSink* sink) : filter(std::move(filter)), sink(sink) {}
  ~Watcher();

  const Filter filter;
  WatchSink* const sink;
  bool allow_bookmarks = false;
  bool send_initial_events = false;  // end the initial events with the initial-events-end bookmark
  // Served from its own store watch (history older than the ring).
  bool fallback = false;
  // Live changes at or below this revision are not for this watcher (its initial events cover
  // them, or the client asked for changes after it).
  int64_t skip_until = 0;

  // Set before registration, then read by the dispatch thread only.
  std::vector<ObjectPtr> initial_objects;     // ADDED first
  std::vector<CacheEventPtr> replay_events;   // then these, converted
  int64_t initial_end_revision = 0;           // the end bookmark's revision

  // Dispatch thread only.
  bool registered = false;
  size_t registry_pos = 0;
  std::vector<std::shared_ptr<Watcher>>* bucket = nullptr;
  size_t bucket_pos = 0;
  absl::Time next_bookmark = absl::InfiniteFuture();
  int64_t stream_revision = 0;  // fallback: the newest revision its store watch reported

  // Set when the watch ends (handle destroyed, sink returned false, closed); no sink call
  // starts after it is set under call_mu.
  std::atomic<bool> stopped{false};
  // Held while the sink is called (it guards the call, not data); the handle's destructor
  // takes it to wait out a call. A std::mutex because it is taken for every delivery, and
  // Debian's Abseil runs deadlock detection on every absl::Mutex acquisition.
  std::mutex call_mu;

  // Fallback watchers: the store sink feeding the dispatcher, and the store watch (reset by
  // whoever ends the watch first; never from the store's own callback).
  std::unique_ptr<storage::WatchSink> store_sink;
  absl::Mutex store_watch_mu;
  std::unique_ptr<storage::Watch> store_watch ABSL_GUARDED_BY(store_watch_mu);
  void ResetStoreWatch();
};

// The dispatcher's input. Shared with handles and fallback store sinks, which may outlive the
// dispatcher (a handle destroyed after the cacher stopped finds it closed).
class DispatchQueue {
 public:
  struct Item {
    enum class Kind {
      kEvents,             // events (may be empty) and the cache's revision after them
      kRegister,           // watcher
      kRemove,             // watcher
      kReset,              // end every cache-fed watch (OnClosed(status))
      kFallbackEvents,     // watcher, store_events
      kFallbackProgress,   // watcher, revision
      kFallbackClosed,     // watcher, status
    };
    Kind kind = Kind::kEvents;
    std::vector<CacheEventPtr> events;
    int64_t revision = 0;
    std::shared_ptr<Watcher> watcher;
    std::vector<storage::Event> store_events;
    absl::Status status;
  };

  // False (item dropped) once closed.
  bool Push(Item item);
  // Waits up to `timeout` for items; `closed` reports Close().
  std::deque<Item> Take(absl::Duration timeout, bool* closed);
  void Close();

  // The thread calling sinks, for handles destroyed from inside a sink.
  std::atomic<std::thread::id> dispatch_thread{};

 private:
  absl::Mutex mu_;
  std::deque<Item> items_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

struct DispatcherOptions {
  const Clock* clock = nullptr;
  absl::Duration bookmark_interval = absl::Minutes(1);
  Decoder decoder;                // decodes fallback streams
  std::string indexed_field;
};

class Dispatcher {
 public:
  Dispatcher(DispatcherOptions options, Logger logger);
  ~Dispatcher();

  void Start();
  // Ends every watch (OnClosed(reason)) and joins the thread. Idempotent.
  void Stop(const absl::Status& reason);

  // Enqueue only; safe under the cache's lock.
  void Publish(std::vector<CacheEventPtr> events, int64_t revision);
  void Reset(const absl::Status& reason);
  // False when stopped.
  bool Register(std::shared_ptr<Watcher> watcher);

  // Starts the store watch of a registered fallback watcher from `start_revision`.
  absl::Status StartFallback(const std::shared_ptr<Watcher>& watcher, Store* store,
                             const std::string& prefix, int64_t start_revision);

  std::unique_ptr<WatchHandle> MakeHandle(std::shared_ptr<Watcher> watcher);

 private:
  using Bucket = std::vector<std::shared_ptr<Watcher>>;
  // Heterogeneous lookup, so a change's field values are looked up without a copy.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using BucketMap = std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>>;

  void Run();
  void Handle(DispatchQueue::Item& item);
  void Activate(const std::shared_ptr<Watcher>& w);
  void DispatchEvent(const CacheEvent& event);
  void DispatchFallback(const std::shared_ptr<Watcher>& w, std::vector<storage::Event>& events);
  void VisitBucket(Bucket* bucket, const CacheEvent& event, EventConverter& converter);
  void VisitKey(BucketMap& map, std::string_view key, const CacheEvent& event, EventConverter& converter);
  void Shutdown(std::deque<DispatchQueue::Item>& pending);
  bool Call(Watcher& w, const WatchEvent& event);
  void Close(Watcher& w, const absl::Status& reason);
  // Tells the sink its watch ended, unless it has ended already; the caller holds w.call_mu.
  void CloseSinkLocked(Watcher& w, const absl::Status& reason);
  // After a dispatch step threw: ends every registered watch (and `item_watcher`, when it was
  // being registered) with `reason`.
  void EndAll(const absl::Status& reason, const std::shared_ptr<Watcher>& item_watcher);
  void Remove(Watcher& w);
  void RemoveDead();
  void SendBookmarks(absl::Time now);
  Bucket* BucketFor(const Watcher& w);
  ObjectPtr DecodeOrNull(const KeyValue& kv);

  const DispatcherOptions options_;
  const Logger logger_;
  const std::shared_ptr<DispatchQueue> queue_ = std::make_shared<DispatchQueue>();
  std::jthread thread_;
  std::atomic<bool> started_{false};
  absl::Mutex stop_mu_;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
  absl::Status stop_reason_;  // written before Close(), read by the thread after it

  // Dispatch thread only.
  std::vector<std::shared_ptr<Watcher>> registry_;  // every active watcher
  Bucket all_;                                      // watchers no lookup narrows
  BucketMap by_index_;
  BucketMap by_name_;
  BucketMap by_namespace_;
  std::vector<std::shared_ptr<Watcher>> dead_;
  int64_t dispatched_revision_ = 0;
  int bookmark_watchers_ = 0;
  absl::Time next_bookmark_check_ = absl::InfiniteFuture();
};

}  // namespace cubelet::storage::cacher::internal
