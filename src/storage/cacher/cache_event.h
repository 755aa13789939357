// Owns: the cacher's internal vocabulary: one applied change (CacheEvent, shared by the event
// ring and every watcher, as upstream's watchCacheEvent), what a list or a watch selects
// (Filter, with the narrowing its selectors allow for lookups), and converting a change into
// what one watcher receives (selector enter/leave, upstream cache_watcher.go
// convertToWatchEvent).
// Does not own: storing changes (watch_cache.h) or calling sinks (dispatcher.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "selectors/selectors.h"
#include "storage/cacher/cacher.h"

namespace cubelet::storage::cacher::internal {

// One change the cache applied. Immutable once published, except `prev_at_revision`, which
// only the dispatch thread touches.
struct CacheEvent {
  EventType type = EventType::kAdded;  // kAdded, kModified or kDeleted
  int64_t revision = 0;
  // The new state; for kDeleted the last state with resourceVersion = `revision`.
  ObjectPtr object;
  // The state before the change; nullptr for kAdded.
  ObjectPtr prev;
  // `prev` with resourceVersion = `revision`: what a watcher whose selector the object leaves
  // receives with DELETED. Built lazily, on the dispatch thread only (most events never need
  // it, and a copy costs a parse-sized allocation).
  mutable ObjectPtr prev_at_revision;
};
using CacheEventPtr = std::shared_ptr<const CacheEvent>;

// `object` with metadata.resourceVersion = `revision` (a new CachedObject; the JSON text is
// rewritten).
ObjectPtr Restamp(const CachedObject& object, int64_t revision);

// What one list or watch selects. Immutable; thread-compatible.
class Filter {
 public:
  Filter(std::string namespace_, std::string name, selectors::LabelSelector labels,
         selectors::FieldSelector fields, std::string_view indexed_field);

  bool Matches(const CachedObject& object) const;

  // Narrowing for lookups; every candidate is still checked with Matches.
  // The namespace every match is in ("" = any): the request's, or a metadata.namespace=X field.
  const std::string& lookup_namespace() const { return lookup_namespace_; }
  // The name every match has ("" = any): the request's, or a metadata.name=X field.
  const std::string& lookup_name() const { return lookup_name_; }
  // The value of the cache's indexed field every match has, when the field selector pins it.
  const std::optional<std::string>& index_value() const { return index_value_; }

 private:
  std::string namespace_;
  std::string name_;
  selectors::LabelSelector labels_;
  selectors::FieldSelector fields_;
  std::string lookup_namespace_;
  std::string lookup_name_;
  std::optional<std::string> index_value_;
};

// The value of `field` in `object`'s selectable fields; "" when absent (as field selectors
// treat a missing field).
std::string_view FieldValue(const CachedObject& object, std::string_view field);

// What a watcher with `filter` receives for `event`, or nullptr when the change is not for it:
// ADDED when the object enters the selection (new state matches, old did not), MODIFIED while
// it stays, DELETED when it leaves (carrying the old state at the event's revision). The
// returned event lives in the converter, built once per CacheEvent however many watchers
// receive it; dispatch thread only.
class EventConverter {
 public:
  explicit EventConverter(const CacheEvent& event);
  const WatchEvent* Convert(const Filter& filter);

 private:
  const CacheEvent& event_;
  WatchEvent added_;
  WatchEvent modified_;
  WatchEvent deleted_;
  bool deleted_ready_ = false;
};

}  // namespace cubelet::storage::cacher::internal
