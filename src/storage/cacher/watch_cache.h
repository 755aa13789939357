// Owns: the in-memory state of one resource (upstream cacher/watch_cache.go): the current
// object of every key in key order, an index of one selectable field's values, the ring of the
// last changes for watch resumption, and the revision applied so far; lists and gets from it,
// and the consistent starting point of a watch.
// Does not own: reading the store (cacher.cc feeds changes in) or watchers (dispatcher.h); it
// hands each batch of changes and each watch start to a callback while still holding its lock,
// so that the order of both is the same everywhere.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/cacher/cache_event.h"
#include "storage/cacher/cacher.h"
#include "storage/store.h"

namespace cubelet::storage::cacher::internal {

// One decoded store change, as the cache applies it.
struct Change {
  storage::EventType type = storage::EventType::kPut;
  std::string key;
  int64_t revision = 0;
  // kPut: the new state (nullptr when it could not be decoded: the change only advances the
  // revision). kDelete: the last state at the delete's revision, or nullptr (the cache then
  // restamps the object it holds).
  ObjectPtr object;
};

// Where a watch starts: the cache's revision at that instant and what comes before the live
// changes.
struct WatchStart {
  int64_t revision = 0;
  std::vector<ObjectPtr> objects;     // the matching objects at `revision` (a snapshot start)
  std::vector<CacheEventPtr> events;  // the changes after the requested revision (a resume)
};

// Thread-safe: readers share a reader lock, the updater (one thread) takes the writer lock.
class WatchCache {
 public:
  // Called with the changes one Apply made (in revision order) and the revision reached, while
  // the cache's lock is held: it must only enqueue.
  using Publish = std::function<void(std::vector<CacheEventPtr> events, int64_t revision)>;

  WatchCache(std::string prefix, bool namespaced, std::string indexed_field, size_t event_capacity);

  // Replaces the whole state by a list read at `revision`; the ring restarts empty at
  // `revision`. `on_replaced` runs under the lock (the dispatcher ends the watches of the old
  // state there).
  void Replace(std::vector<ObjectPtr> objects, int64_t revision, const std::function<void()>& on_replaced);
  // Applies changes in revision order; changes at or below the current revision are ignored.
  void Apply(std::vector<Change> changes, const Publish& publish);
  // The store has seen every change up to `revision` (progress notification).
  void Progress(int64_t revision, const Publish& publish);

  int64_t Revision() const;
  absl::Status WaitForRevision(int64_t revision, absl::Duration timeout) const;
  ObjectPtr Get(const std::string& key) const;
  ListResult List(const ListRequest& request, const Filter& filter) const;

  // Under the reader lock, computes where a watch starts and passes it to `start` (which
  // registers the watcher before any later change can be published). With `snapshot`, the
  // start holds every object matching `filter`; else the changes after `start_revision` (none
  // when it is at or above the cache's revision). kOutOfRange "too old resource version: N
  // (OLDEST)" when the ring no longer holds every change after `start_revision`. Errors of
  // `start` are returned as they are.
  absl::Status StartWatch(const Filter& filter, int64_t start_revision, bool snapshot,
                          const std::function<absl::Status(WatchStart)>& start) const;

  // The newest revision a resume can start from: every change after it is in the ring.
  int64_t OldestResumableRevision() const;

 private:
  using ObjectMap = std::map<std::string, ObjectPtr, std::less<>>;

  // Calls fn(object) for each object that may match `filter` with key > `start_after`, in key
  // order, using the narrowest lookup the filter allows; fn returns false to stop.
  template <typename Fn>
  void ForEachCandidate(const Filter& filter, std::string_view start_after, Fn fn) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void IndexAdd(const ObjectPtr& object) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void IndexRemove(const ObjectPtr& object) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PushRing(CacheEventPtr event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string prefix_;
  const bool namespaced_;
  const std::string indexed_field_;
  const size_t event_capacity_;

  mutable absl::Mutex mu_;
  ObjectMap objects_ ABSL_GUARDED_BY(mu_);
  // indexed field value → the objects with it, in key order.
  std::unordered_map<std::string, ObjectMap> index_ ABSL_GUARDED_BY(mu_);
  std::deque<CacheEventPtr> ring_ ABSL_GUARDED_BY(mu_);
  // Every change after this revision is in ring_ (the list revision until the ring overflows,
  // then the revision of the newest event dropped from it).
  int64_t ring_start_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t revision_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace cubelet::storage::cacher::internal
