#include "storage/cacher/watch_cache.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"

namespace cubelet::storage::cacher::internal {

WatchCache::WatchCache(std::string prefix, bool namespaced, std::string indexed_field, size_t event_capacity)
    : prefix_(std::move(prefix)),
      namespaced_(namespaced),
      indexed_field_(std::move(indexed_field)),
      event_capacity_(std::max<size_t>(event_capacity, 1)) {}

void WatchCache::IndexAdd(const ObjectPtr& object) {
  if (indexed_field_.empty()) return;
  index_[std::string(FieldValue(*object, indexed_field_))][object->key] = object;
}

void WatchCache::IndexRemove(const ObjectPtr& object) {
  if (indexed_field_.empty()) return;
  auto it = index_.find(std::string(FieldValue(*object, indexed_field_)));
  if (it == index_.end()) return;
  it->second.erase(object->key);
  if (it->second.empty()) index_.erase(it);
}

void WatchCache::PushRing(CacheEventPtr event) {
  ring_.push_back(std::move(event));
  while (ring_.size() > event_capacity_) {
    ring_start_ = ring_.front()->revision;
    ring_.pop_front();
  }
}

void WatchCache::Replace(std::vector<ObjectPtr> objects, int64_t revision,
                         const std::function<void()>& on_replaced) {
  absl::MutexLock lock(&mu_);
  objects_.clear();
  index_.clear();
  ring_.clear();
  for (ObjectPtr& o : objects) {
    IndexAdd(o);
    std::string key = o->key;
    objects_.insert_or_assign(std::move(key), std::move(o));
  }
  ring_start_ = revision;
  // A relist may land below a progress revision already reported; never go backwards.
  revision_ = std::max(revision_, revision);
  if (on_replaced) on_replaced();
}

void WatchCache::Apply(std::vector<Change> changes, const Publish& publish) {
  absl::MutexLock lock(&mu_);
  std::vector<CacheEventPtr> published;
  published.reserve(changes.size());
  for (Change& c : changes) {
    if (c.revision <= revision_) continue;
    revision_ = c.revision;
    auto it = objects_.find(c.key);
    ObjectPtr prev = it == objects_.end() ? nullptr : it->second;
    auto event = std::make_shared<CacheEvent>();
    event->revision = c.revision;
    event->prev = prev;
    if (c.type == storage::EventType::kPut) {
      if (!c.object) continue;  // undecodable: the decoder's warning was logged
      event->type = prev ? EventType::kModified : EventType::kAdded;
      event->object = c.object;
      if (prev) IndexRemove(prev);
      IndexAdd(c.object);
      if (it == objects_.end()) {
        objects_.emplace(c.key, c.object);
      } else {
        it->second = c.object;
      }
    } else {
      if (!prev) continue;  // a key the cache never held (e.g. undecodable when written)
      event->type = EventType::kDeleted;
      event->object = c.object ? std::move(c.object) : Restamp(*prev, c.revision);
      IndexRemove(prev);
      objects_.erase(it);
    }
    published.push_back(event);
    PushRing(std::move(event));
  }
  publish(std::move(published), revision_);
}

void WatchCache::Progress(int64_t revision, const Publish& publish) {
  absl::MutexLock lock(&mu_);
  if (revision <= revision_) return;
  revision_ = revision;
  publish({}, revision_);
}

int64_t WatchCache::Revision() const {
  absl::ReaderMutexLock lock(&mu_);
  return revision_;
}

absl::Status WatchCache::WaitForRevision(int64_t revision, absl::Duration timeout) const {
  auto reached = [this, revision]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return revision_ >= revision; };
  if (!mu_.ReaderLockWhenWithTimeout(absl::Condition(&reached), timeout)) {
    const int64_t have = revision_;
    mu_.ReaderUnlock();
    return absl::DeadlineExceededError(
        StrCat("Too large resource version: ", revision, ", current: ", have));
  }
  mu_.ReaderUnlock();
  return absl::OkStatus();
}

ObjectPtr WatchCache::Get(const std::string& key) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

template <typename Fn>
void WatchCache::ForEachCandidate(const Filter& filter, std::string_view start_after, Fn fn) const {
  const std::string& ns = filter.lookup_namespace();
  // A namespaced kind with a known namespace and name has exactly one candidate key.
  if (!filter.lookup_name().empty() && (!namespaced_ || !ns.empty())) {
    std::string key = namespaced_ ? StrCat(prefix_, ns, "/", filter.lookup_name()) : StrCat(prefix_, filter.lookup_name());
    if (key <= start_after) return;
    auto it = objects_.find(key);
    if (it != objects_.end()) fn(it->second);
    return;
  }
  const ObjectMap* map = &objects_;
  if (filter.index_value() && !indexed_field_.empty()) {
    auto it = index_.find(*filter.index_value());
    if (it == index_.end()) return;
    map = &it->second;
  }
  // Keys of one namespace are the range [prefix + ns + "/", prefix + ns + "0") ('0' follows '/').
  std::string lo;
  std::string hi;
  if (namespaced_ && !ns.empty()) {
    lo = StrCat(prefix_, ns, "/");
    hi = StrCat(prefix_, ns, "0");
  }
  auto it = start_after >= std::string_view(lo) ? map->upper_bound(start_after) : map->lower_bound(lo);
  for (; it != map->end(); ++it) {
    if (!hi.empty() && it->first >= hi) break;
    if (!fn(it->second)) break;
  }
}

ListResult WatchCache::List(const ListRequest& request, const Filter& filter) const {
  ListResult result;
  absl::ReaderMutexLock lock(&mu_);
  result.revision = revision_;
  const size_t limit = request.limit > 0 ? static_cast<size_t>(request.limit) : 0;
  ForEachCandidate(filter, request.start_after_key, [&](const ObjectPtr& o) {
    if (!filter.Matches(*o)) return true;
    if (limit == 0 || result.items.size() < limit) {
      result.items.push_back(o);
    } else {
      ++result.remaining;
    }
    return true;
  });
  if (result.remaining > 0) result.last_key = result.items.back()->key;
  return result;
}

absl::Status WatchCache::StartWatch(const Filter& filter, int64_t start_revision, bool snapshot,
                                    const std::function<absl::Status(WatchStart)>& start) const {
  absl::ReaderMutexLock lock(&mu_);
  WatchStart ws;
  ws.revision = revision_;
  if (snapshot) {
    ForEachCandidate(filter, "", [&](const ObjectPtr& o) {
      if (filter.Matches(*o)) ws.objects.push_back(o);
      return true;
    });
  } else if (start_revision < revision_) {
    if (start_revision < ring_start_) {
      return absl::OutOfRangeError(
          StrCat("too old resource version: ", start_revision, " (", ring_start_, ")"));
    }
    auto first = std::upper_bound(ring_.begin(), ring_.end(), start_revision,
                                  [](int64_t rev, const CacheEventPtr& e) { return rev < e->revision; });
    ws.events.assign(first, ring_.end());
  }
  return start(std::move(ws));
}

int64_t WatchCache::OldestResumableRevision() const {
  absl::ReaderMutexLock lock(&mu_);
  return ring_start_;
}

}  // namespace cubelet::storage::cacher::internal
