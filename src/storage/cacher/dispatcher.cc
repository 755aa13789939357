#include "storage/cacher/dispatcher.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <utility>

#include "common/status_macros.h"
#include "common/thread_entry.h"

namespace cubelet::storage::cacher::internal {
namespace {

using Kind = DispatchQueue::Item::Kind;

// How often the dispatch thread looks at the clock while some watcher wants bookmarks. The
// Clock cannot wake a waiting thread, so the thread polls it; a tenth of a second is far below
// any bookmark interval and costs nothing when idle.
constexpr absl::Duration kBookmarkPoll = absl::Milliseconds(100);

DispatchQueue::Item MakeItem(Kind kind, std::shared_ptr<Watcher> watcher = nullptr) {
  DispatchQueue::Item item;
  item.kind = kind;
  item.watcher = std::move(watcher);
  return item;
}

// Removes the watcher at `pos` from `v` by moving the last one into its place.
void SwapRemove(std::vector<std::shared_ptr<Watcher>>& v, size_t pos, size_t Watcher::*pos_field) {
  if (pos + 1 != v.size()) {
    v[pos] = std::move(v.back());
    (*v[pos]).*pos_field = pos;
  }
  v.pop_back();
}

// A fallback watcher's store watch: enqueues for the dispatch thread, never blocks the store.
class FallbackSink final : public storage::WatchSink {
 public:
  FallbackSink(std::weak_ptr<Watcher> watcher, std::shared_ptr<DispatchQueue> queue)
      : watcher_(std::move(watcher)), queue_(std::move(queue)) {}

  void OnEvents(std::vector<storage::Event> events) override {
    if (auto w = watcher_.lock()) {
      DispatchQueue::Item item = MakeItem(Kind::kFallbackEvents, std::move(w));
      item.store_events = std::move(events);
      queue_->Push(std::move(item));
    }
  }
  void OnProgress(int64_t progress_revision) override {
    if (auto w = watcher_.lock()) {
      DispatchQueue::Item item = MakeItem(Kind::kFallbackProgress, std::move(w));
      item.revision = progress_revision;
      queue_->Push(std::move(item));
    }
  }
  void OnClosed(const absl::Status& reason) override {
    if (auto w = watcher_.lock()) {
      DispatchQueue::Item item = MakeItem(Kind::kFallbackClosed, std::move(w));
      item.status = reason;
      queue_->Push(std::move(item));
    }
  }

 private:
  const std::weak_ptr<Watcher> watcher_;
  const std::shared_ptr<DispatchQueue> queue_;
};

class WatchHandleImpl final : public WatchHandle {
 public:
  WatchHandleImpl(std::shared_ptr<Watcher> watcher, std::shared_ptr<DispatchQueue> queue)
      : watcher_(std::move(watcher)), queue_(std::move(queue)) {}

  ~WatchHandleImpl() override {
    watcher_->stopped.store(true);
    // Wait out a sink call in progress, unless this runs inside one (the sink destroying its
    // own handle): the dispatch thread checks `stopped` before every call.
    if (queue_->dispatch_thread.load() != std::this_thread::get_id()) {
      std::lock_guard<std::mutex> lock(watcher_->call_mu);
    }
    watcher_->ResetStoreWatch();
    queue_->Push(MakeItem(Kind::kRemove, std::move(watcher_)));
  }

 private:
  std::shared_ptr<Watcher> watcher_;
  const std::shared_ptr<DispatchQueue> queue_;
};

}  // namespace

Watcher::~Watcher() { ResetStoreWatch(); }

void Watcher::ResetStoreWatch() {
  std::unique_ptr<storage::Watch> watch;
  {
    absl::MutexLock lock(&store_watch_mu);
    watch = std::move(store_watch);
  }
  // Destroying it blocks until the store's callback returns; the callback only enqueues.
  watch.reset();
}

bool DispatchQueue::Push(Item item) {
  absl::MutexLock lock(&mu_);
  if (closed_) return false;
  items_.push_back(std::move(item));
  return true;
}

std::deque<DispatchQueue::Item> DispatchQueue::Take(absl::Duration timeout, bool* closed) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !items_.empty() || closed_; };
  if (timeout == absl::InfiniteDuration()) {
    mu_.Await(absl::Condition(&ready));
  } else {
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  }
  *closed = closed_;
  return std::exchange(items_, {});
}

void DispatchQueue::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

Dispatcher::Dispatcher(DispatcherOptions options, Logger logger)
    : options_(std::move(options)), logger_(std::move(logger)) {}

Dispatcher::~Dispatcher() { Stop(absl::OkStatus()); }

void Dispatcher::Start() {
  started_.store(true);
  thread_ = StartThread(logger_, "watch-dispatch", [this] { Run(); });
}

void Dispatcher::Stop(const absl::Status& reason) {
  {
    absl::MutexLock lock(&stop_mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_reason_ = reason;
  queue_->Close();
  if (thread_.joinable()) {
    thread_.join();
  } else {
    // Never started: end the watches registered meanwhile here.
    bool closed = false;
    std::deque<DispatchQueue::Item> pending = queue_->Take(absl::ZeroDuration(), &closed);
    Shutdown(pending);
  }
}

void Dispatcher::Publish(std::vector<CacheEventPtr> events, int64_t revision) {
  DispatchQueue::Item item = MakeItem(Kind::kEvents);
  item.events = std::move(events);
  item.revision = revision;
  queue_->Push(std::move(item));
}

void Dispatcher::Reset(const absl::Status& reason) {
  DispatchQueue::Item item = MakeItem(Kind::kReset);
  item.status = reason;
  queue_->Push(std::move(item));
}

bool Dispatcher::Register(std::shared_ptr<Watcher> watcher) {
  return queue_->Push(MakeItem(Kind::kRegister, std::move(watcher)));
}

absl::Status Dispatcher::StartFallback(const std::shared_ptr<Watcher>& watcher, Store* store,
                                       const std::string& prefix, int64_t start_revision) {
  watcher->store_sink = std::make_unique<FallbackSink>(watcher, queue_);
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Watch> watch,
                   store->WatchPrefix(prefix, start_revision, watcher->store_sink.get()));
  {
    absl::MutexLock lock(&watcher->store_watch_mu);
    // Ended meanwhile (the cacher stopping): whoever ended it already reset the slot.
    if (!watcher->stopped.load()) watcher->store_watch = std::move(watch);
  }
  return absl::OkStatus();
}

std::unique_ptr<WatchHandle> Dispatcher::MakeHandle(std::shared_ptr<Watcher> watcher) {
  return std::make_unique<WatchHandleImpl>(std::move(watcher), queue_);
}

void Dispatcher::Run() {
  queue_->dispatch_thread.store(std::this_thread::get_id());
  while (true) {
    bool closed = false;
    std::deque<DispatchQueue::Item> items =
        queue_->Take(bookmark_watchers_ > 0 ? kBookmarkPoll : absl::InfiniteDuration(), &closed);
    if (closed) {
      Shutdown(items);
      break;
    }
    for (DispatchQueue::Item& item : items) {
      // Sinks are guarded one by one (Call, Close, Activate); what else throws may have left
      // watchers without an event, so all of them end with the error and their clients relist.
      absl::Status thrown = RunGuarded(logger_, "watch-dispatch", "dispatch", [&] { Handle(item); });
      if (!thrown.ok()) EndAll(thrown, item.watcher);
    }
    RemoveDead();
    if (bookmark_watchers_ > 0) {
      const absl::Time now = options_.clock->Now();
      if (now >= next_bookmark_check_) SendBookmarks(now);
    }
  }
  queue_->dispatch_thread.store(std::thread::id());
}

void Dispatcher::EndAll(const absl::Status& reason, const std::shared_ptr<Watcher>& item_watcher) {
  if (item_watcher && !item_watcher->registered) Close(*item_watcher, reason);
  std::vector<std::shared_ptr<Watcher>> ended = registry_;
  for (const std::shared_ptr<Watcher>& w : ended) {
    Close(*w, reason);
    Remove(*w);
  }
}

void Dispatcher::Shutdown(std::deque<DispatchQueue::Item>& pending) {
  const absl::Status reason = stop_reason_;
  for (DispatchQueue::Item& item : pending) {
    if (item.kind == Kind::kRegister && item.watcher && !item.watcher->registered) Close(*item.watcher, reason);
  }
  std::vector<std::shared_ptr<Watcher>> registry = std::move(registry_);
  registry_.clear();
  for (const std::shared_ptr<Watcher>& w : registry) {
    w->registered = false;
    Close(*w, reason);
  }
  all_.clear();
  by_index_.clear();
  by_name_.clear();
  by_namespace_.clear();
  dead_.clear();
  bookmark_watchers_ = 0;
}

void Dispatcher::Handle(DispatchQueue::Item& item) {
  switch (item.kind) {
    case Kind::kEvents:
      for (const CacheEventPtr& e : item.events) DispatchEvent(*e);
      dispatched_revision_ = std::max(dispatched_revision_, item.revision);
      break;
    case Kind::kRegister:
      Activate(item.watcher);
      break;
    case Kind::kRemove:
      Remove(*item.watcher);
      break;
    case Kind::kReset: {
      std::vector<std::shared_ptr<Watcher>> ended;
      for (const std::shared_ptr<Watcher>& w : registry_) {
        if (!w->fallback) ended.push_back(w);
      }
      for (const std::shared_ptr<Watcher>& w : ended) {
        Close(*w, item.status);
        Remove(*w);
      }
      break;
    }
    case Kind::kFallbackEvents:
      if (item.watcher->registered && !item.watcher->stopped.load()) DispatchFallback(item.watcher, item.store_events);
      break;
    case Kind::kFallbackProgress:
      item.watcher->stream_revision = std::max(item.watcher->stream_revision, item.revision);
      break;
    case Kind::kFallbackClosed:
      if (item.watcher->registered) {
        Close(*item.watcher, item.status);
        Remove(*item.watcher);
      }
      break;
  }
}

void Dispatcher::Activate(const std::shared_ptr<Watcher>& w) {
  if (w->stopped.load()) return;
  {
    std::lock_guard<std::mutex> lock(w->call_mu);
    bool ok = true;
    absl::Status thrown = RunGuarded(logger_, "watch-dispatch", "send a watch's initial events", [&] {
      for (const ObjectPtr& o : w->initial_objects) {
        if (w->stopped.load()) break;
        ok = w->sink->OnEvent(WatchEvent{.type = EventType::kAdded, .object = o, .revision = o->mod_revision,
                                         .initial_events_end = false});
        if (!ok) break;
      }
      for (const CacheEventPtr& e : w->replay_events) {
        if (!ok || w->stopped.load()) break;
        EventConverter converter(*e);
        if (const WatchEvent* out = converter.Convert(w->filter)) ok = w->sink->OnEvent(*out);
      }
      if (ok && w->send_initial_events && !w->stopped.load()) {
        ok = w->sink->OnEvent(WatchEvent{.type = EventType::kBookmark,
                                         .object = nullptr,
                                         .revision = w->initial_end_revision,
                                         .initial_events_end = true});
      }
    });
    if (!thrown.ok()) {
      ok = false;
      CloseSinkLocked(*w, thrown);
    }
    if (!ok) w->stopped.store(true);
  }
  w->initial_objects = {};
  w->replay_events = {};
  if (w->stopped.load()) return;

  w->registered = true;
  w->registry_pos = registry_.size();
  registry_.push_back(w);
  if (w->fallback) {
    w->stream_revision = w->skip_until;
  } else {
    w->bucket = BucketFor(*w);
    w->bucket_pos = w->bucket->size();
    w->bucket->push_back(w);
  }
  if (w->allow_bookmarks && options_.bookmark_interval > absl::ZeroDuration()) {
    ++bookmark_watchers_;
    w->next_bookmark = options_.clock->Now() + options_.bookmark_interval;
    next_bookmark_check_ = std::min(next_bookmark_check_, w->next_bookmark);
  }
}

Dispatcher::Bucket* Dispatcher::BucketFor(const Watcher& w) {
  const Filter& f = w.filter;
  if (f.index_value() && !options_.indexed_field.empty()) return &by_index_[*f.index_value()];
  if (!f.lookup_name().empty()) return &by_name_[f.lookup_name()];
  if (!f.lookup_namespace().empty()) return &by_namespace_[f.lookup_namespace()];
  return &all_;
}

void Dispatcher::Remove(Watcher& w) {
  if (!w.registered) return;
  const std::shared_ptr<Watcher> keep = registry_[w.registry_pos];  // `w` may live only there
  w.registered = false;
  SwapRemove(registry_, w.registry_pos, &Watcher::registry_pos);
  if (w.bucket != nullptr) {
    SwapRemove(*w.bucket, w.bucket_pos, &Watcher::bucket_pos);
    w.bucket = nullptr;
  }
  if (w.next_bookmark != absl::InfiniteFuture()) {
    --bookmark_watchers_;
    w.next_bookmark = absl::InfiniteFuture();
  }
  w.ResetStoreWatch();
}

void Dispatcher::RemoveDead() {
  if (dead_.empty()) return;
  std::vector<std::shared_ptr<Watcher>> dead = std::move(dead_);
  dead_.clear();
  for (const std::shared_ptr<Watcher>& w : dead) Remove(*w);
}

bool Dispatcher::Call(Watcher& w, const WatchEvent& event) {
  std::lock_guard<std::mutex> lock(w.call_mu);
  if (w.stopped.load()) return false;
  bool ok = false;
  absl::Status thrown = RunGuarded(logger_, "watch-dispatch", "send a watch event", [&] { ok = w.sink->OnEvent(event); });
  if (ok) return true;
  // A sink that threw is told its watch ended (its client watches again); the others go on.
  if (!thrown.ok()) CloseSinkLocked(w, thrown);
  w.stopped.store(true);
  return false;
}

void Dispatcher::CloseSinkLocked(Watcher& w, const absl::Status& reason) {
  if (!w.stopped.exchange(true)) {
    (void)RunGuarded(logger_, "watch-dispatch", "close a watch", [&] { w.sink->OnClosed(reason); });
  }
}

void Dispatcher::Close(Watcher& w, const absl::Status& reason) {
  {
    std::lock_guard<std::mutex> lock(w.call_mu);
    CloseSinkLocked(w, reason);
  }
  w.ResetStoreWatch();
}

void Dispatcher::VisitBucket(Bucket* bucket, const CacheEvent& event, EventConverter& converter) {
  // Sinks cannot change buckets (removals are deferred to RemoveDead), so iterating is safe.
  for (const std::shared_ptr<Watcher>& wp : *bucket) {
    Watcher& w = *wp;
    if (w.stopped.load(std::memory_order_relaxed)) {
      dead_.push_back(wp);
      continue;
    }
    if (event.revision <= w.skip_until) continue;
    const WatchEvent* out = converter.Convert(w.filter);
    if (out == nullptr) continue;
    if (!Call(w, *out)) dead_.push_back(wp);
  }
}

void Dispatcher::VisitKey(BucketMap& map, std::string_view key, const CacheEvent& event,
                          EventConverter& converter) {
  if (map.empty()) return;
  auto it = map.find(key);
  if (it != map.end() && !it->second.empty()) VisitBucket(&it->second, event, converter);
}

void Dispatcher::DispatchEvent(const CacheEvent& event) {
  dispatched_revision_ = std::max(dispatched_revision_, event.revision);
  if (registry_.empty()) return;
  EventConverter converter(event);
  VisitBucket(&all_, event, converter);
  const CachedObject& o = *event.object;
  VisitKey(by_name_, o.name, event, converter);
  VisitKey(by_namespace_, o.namespace_, event, converter);
  if (!options_.indexed_field.empty()) {
    // A change that moves the object between index values is seen by the watchers of both
    // (leaving one selection, entering the other).
    const std::string_view value = FieldValue(o, options_.indexed_field);
    VisitKey(by_index_, value, event, converter);
    if (event.prev) {
      const std::string_view prev_value = FieldValue(*event.prev, options_.indexed_field);
      if (prev_value != value) VisitKey(by_index_, prev_value, event, converter);
    }
  }
  RemoveDead();
}

ObjectPtr Dispatcher::DecodeOrNull(const KeyValue& kv) {
  absl::StatusOr<ObjectPtr> o = options_.decoder(kv);
  if (!o.ok() || *o == nullptr) {
    logger_.Warning("Skipping an object the decoder rejects",
                    {{"key", kv.key}, {"revision", static_cast<long long>(kv.mod_revision)},
                     {"err", o.ok() ? absl::InternalError("null object") : o.status()}});
    return nullptr;
  }
  return *std::move(o);
}

void Dispatcher::DispatchFallback(const std::shared_ptr<Watcher>& w, std::vector<storage::Event>& events) {
  for (const storage::Event& se : events) {
    const int64_t revision = se.kv.mod_revision;
    w->stream_revision = std::max(w->stream_revision, revision);
    if (revision <= w->skip_until) continue;
    CacheEvent event;
    event.revision = revision;
    if (se.type == storage::EventType::kPut) {
      event.object = DecodeOrNull(se.kv);
      if (!event.object) continue;
      if (se.prev_kv) event.prev = DecodeOrNull(*se.prev_kv);
      event.type = event.prev ? EventType::kModified : EventType::kAdded;
    } else {
      if (!se.prev_kv) continue;  // nothing to tell the client what was deleted
      KeyValue last = *se.prev_kv;
      last.mod_revision = revision;
      event.object = DecodeOrNull(last);
      if (!event.object) continue;
      event.type = EventType::kDeleted;
      event.prev = event.object;
    }
    EventConverter converter(event);
    const WatchEvent* out = converter.Convert(w->filter);
    if (out != nullptr && !Call(*w, *out)) {
      Remove(*w);
      return;
    }
  }
}

void Dispatcher::SendBookmarks(absl::Time now) {
  absl::Time next = absl::InfiniteFuture();
  for (const std::shared_ptr<Watcher>& wp : registry_) {
    Watcher& w = *wp;
    if (w.next_bookmark == absl::InfiniteFuture()) continue;
    if (w.next_bookmark <= now) {
      const int64_t revision = w.fallback ? w.stream_revision : std::max(dispatched_revision_, w.skip_until);
      if (!Call(w, WatchEvent{.type = EventType::kBookmark, .object = nullptr, .revision = revision,
                              .initial_events_end = false})) {
        dead_.push_back(wp);
        continue;
      }
      w.next_bookmark = now + options_.bookmark_interval;
    }
    next = std::min(next, w.next_bookmark);
  }
  next_bookmark_check_ = next;
  RemoveDead();
}

}  // namespace cubelet::storage::cacher::internal
