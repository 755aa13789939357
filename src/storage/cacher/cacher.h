// Owns: the watch cache of one resource (upstream apiserver/pkg/storage/cacher): one store watch
// per resource prefix, the current objects in memory (decoded once, serialized once), a ring of
// recent events, and fan-out of those events to any number of client watches with their
// namespace and label/field selectors, selector enter/leave as ADDED/DELETED, bookmarks, and
// the initial-events-end bookmark of streaming lists. Lists and watches of thousands of clients
// never reach the store.
// Does not own: decoding stored bytes into objects and their selectable fields (the registry
// supplies a Decoder), HTTP framing (apiserver/ writes what a watcher receives).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "json/value.h"
#include "selectors/selectors.h"
#include "storage/store.h"

namespace cubelet::storage::cacher {

// One version of one object, immutable and shared by the cache, its events and every watcher.
struct CachedObject {
  std::string key;            // storage key: "/registry/pods/default/web"
  std::string namespace_;     // "" for cluster-scoped kinds
  std::string name;
  int64_t mod_revision = 0;   // = metadata.resourceVersion
  std::shared_ptr<const json::Value> object;  // decoded, metadata.resourceVersion set
  std::string json;           // `object` as JSON text: the bytes JSON clients receive
  selectors::Labels labels;
  selectors::Fields fields;   // the kind's selectable fields (metadata.name, spec.nodeName, ...)
};
using ObjectPtr = std::shared_ptr<const CachedObject>;

// Turns a stored key-value into a CachedObject (parse, set resourceVersion = mod_revision,
// compute labels and fields, serialize). An error skips the object with a logged warning.
using Decoder = std::function<absl::StatusOr<ObjectPtr>(const KeyValue& kv)>;

enum class EventType { kAdded, kModified, kDeleted, kBookmark };

// What one client watch receives. For kDeleted `object` is the last state with
// resourceVersion set to the deletion's revision. For kBookmark `object` is null and `revision`
// is the resourceVersion to report; `initial_events_end` marks the bookmark that closes the
// initial events of a streaming list (annotation k8s.io/initial-events-end).
struct WatchEvent {
  EventType type = EventType::kAdded;
  ObjectPtr object;
  int64_t revision = 0;
  bool initial_events_end = false;
};

// Receives the events of one client watch, in revision order, from the cacher's dispatch thread.
// Must not block. Returning false ends the watch (the client is gone or too slow).
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  virtual bool OnEvent(const WatchEvent& event) = 0;
  // The watch ended on the cacher's side (stopping, or the request's history was compacted while
  // it was being replayed); no calls follow.
  virtual void OnClosed(const absl::Status& reason) { (void)reason; }
};

struct WatchRequest {
  std::string namespace_;  // "" = all namespaces
  std::string name;        // "" = every name (a metadata.name field selector also narrows)
  selectors::LabelSelector labels;
  selectors::FieldSelector fields;
  // 0: first an ADDED event for every current object that matches, then changes.
  // N > 0: every change after revision N; kOutOfRange ("too old resource version: N (oldest)")
  // when the changes after N are no longer known.
  int64_t start_revision = 0;
  bool send_initial_events = false;  // with start_revision: initial ADDED events, then the end bookmark
  bool allow_bookmarks = false;      // periodic BOOKMARK events with the current revision
};

// Unregisters the watch when destroyed (blocking until the sink is no longer being called).
class WatchHandle {
 public:
  virtual ~WatchHandle() = default;
};

struct ListRequest {
  std::string namespace_;  // "" = all namespaces
  std::string name;        // "" = every name
  selectors::LabelSelector labels;
  selectors::FieldSelector fields;
  int64_t limit = 0;            // 0 = all
  std::string start_after_key;  // paging: only keys after this one
};

struct ListResult {
  std::vector<ObjectPtr> items;  // matching objects in key order
  int64_t revision = 0;          // the cache's revision the list reflects
  std::string last_key;          // set when `limit` cut the list: the key of the last item
  int64_t remaining = 0;         // matching items after the last one returned, when cut
};

struct CacherOptions {
  std::string prefix;  // "/registry/pods/": keys are prefix + [namespace + "/"] + name
  bool namespaced = true;
  Decoder decoder;
  // The selectable field the cache keeps an index for (upstream indexes spec.nodeName for pods,
  // which every kubelet watches by); "" for none.
  std::string indexed_field;
  size_t event_capacity = 10000;  // events kept for watch resumption
  absl::Duration bookmark_interval = absl::Minutes(1);
};

// Thread-safe.
class Cacher {
 public:
  Cacher(Store* store, CacherOptions options, const Clock* clock, Logger logger);
  ~Cacher();

  // Lists the prefix from the store and starts watching it; returns once the cache holds the
  // list. Errors are the store's.
  absl::Status Start();
  void Stop();

  // The newest revision the cache has applied.
  int64_t Revision() const;
  // Blocks until the cache has applied `revision` (a consistent read after a write), or
  // DeadlineExceeded after `timeout`.
  absl::Status WaitForRevision(int64_t revision, absl::Duration timeout) const;

  ObjectPtr Get(const std::string& key) const;  // nullptr when absent
  ListResult List(const ListRequest& request) const;

  // Registers a client watch; `sink` must outlive the handle.
  absl::StatusOr<std::unique_ptr<WatchHandle>> Watch(const WatchRequest& request, WatchSink* sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cubelet::storage::cacher
