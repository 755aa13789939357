#include "storage/sqlite/watch_hub.h"

#include <exception>
#include <utility>

#include "common/strings.h"
#include "common/thread_entry.h"

namespace cubelet::storage::sqlite {
namespace {

size_t EventBytes(const Event& e) {
  size_t n = sizeof(Event) + e.kv.key.size() + e.kv.value.size();
  if (e.prev_kv) n += e.prev_kv->key.size() + e.prev_kv->value.size();
  return n;
}

bool HasPrefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

}  // namespace

class WatchHub::Handle final : public Watch {
 public:
  Handle(std::shared_ptr<WatchHub> hub, int64_t id) : hub_(std::move(hub)), id_(id) {}
  ~Handle() override { hub_->Remove(id_); }

 private:
  std::shared_ptr<WatchHub> hub_;
  int64_t id_;
};

WatchHub::WatchHub(HistoryReader reader, int64_t revision, WatchHubOptions options, Logger logger)
    : reader_(std::move(reader)),
      options_(options),
      logger_(std::move(logger)),
      revision_(revision),
      ring_first_(revision + 1) {}

WatchHub::~WatchHub() { Stop(absl::UnavailableError("store is closed")); }

void WatchHub::Start() {
  // Each call out (a sink, the history reader) is guarded on its own (CallOut); this guard only
  // names the thread and catches what the loop itself might throw.
  thread_ = StartThread(logger_, "store-watch", [this] { Run(); });
}

void WatchHub::Stop(const absl::Status& reason) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    stop_reason_ = reason;
    cv_.SignalAll();
  }
  if (thread_.joinable()) {
    thread_.join();
  } else {
    // Never started: close the watches here (there is no dispatcher to do it).
    Run();
  }
}

absl::StatusOr<std::unique_ptr<Watch>> WatchHub::Add(std::string_view prefix,
                                                     int64_t start_revision, WatchSink* sink) {
  int64_t id;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("store is closed");
    id = next_id_++;
    watchers_.emplace(id, Watcher{.prefix = std::string(prefix),
                                  .sink = sink,
                                  .cursor = start_revision,
                                  .notified = start_revision});
    cv_.SignalAll();
  }
  return std::unique_ptr<Watch>(new Handle(shared_from_this(), id));
}

void WatchHub::Remove(int64_t id) {
  absl::MutexLock lock(&mu_);
  // A sink that destroys its own watch from a callback must not wait for itself.
  while (busy_id_ == id && std::this_thread::get_id() != dispatcher_id_) cv_.Wait(&mu_);
  watchers_.erase(id);
}

void WatchHub::Publish(std::vector<Event> events, int64_t revision) {
  absl::MutexLock lock(&mu_);
  if (revision - revision_ != static_cast<int64_t>(events.size())) {
    // Every write is one event; anything else is a bug in the writer that would make watches
    // skip or repeat revisions.
    logger_.Error("Store published a non-contiguous batch of events",
                  {{"from", static_cast<long long>(revision_)},
                   {"to", static_cast<long long>(revision)},
                   {"events", static_cast<unsigned long>(events.size())}});
    std::terminate();
  }
  for (Event& e : events) {
    ring_bytes_ += EventBytes(e);
    ring_.push_back(std::move(e));
  }
  revision_ = revision;
  if (ring_.empty()) ring_first_ = revision_ + 1;
  Trim();
  cv_.SignalAll();
}

void WatchHub::Trim() {
  while (!ring_.empty() &&
         (ring_.size() > options_.ring_events || ring_bytes_ > options_.ring_bytes)) {
    ring_bytes_ -= EventBytes(ring_.front());
    ring_.pop_front();
    ++ring_first_;
  }
}

int64_t WatchHub::revision() const {
  absl::MutexLock lock(&mu_);
  return revision_;
}

size_t WatchHub::watch_count() const {
  absl::MutexLock lock(&mu_);
  return watchers_.size();
}

bool WatchHub::HasWork() const {
  if (stopping_) return true;
  for (const auto& [id, w] : watchers_) {
    if (w.cursor < revision_) return true;
  }
  return false;
}

void WatchHub::Run() {
  absl::MutexLock lock(&mu_);
  dispatcher_id_ = std::this_thread::get_id();
  while (true) {
    while (!HasWork()) cv_.Wait(&mu_);
    if (stopping_) break;
    std::vector<int64_t> ids;
    ids.reserve(watchers_.size());
    for (const auto& [id, w] : watchers_) {
      if (w.cursor < revision_) ids.push_back(id);
    }
    for (int64_t id : ids) {
      if (stopping_) break;
      Advance(id);
    }
  }
  if (stopped_) return;
  stopped_ = true;
  // Close what is left, one by one, so that a concurrent Remove still waits for its callback.
  while (!watchers_.empty()) {
    auto it = watchers_.begin();
    const int64_t id = it->first;
    WatchSink* sink = it->second.sink;
    const absl::Status reason = stop_reason_;
    (void)CallOut(id, "close a watch", [&] { sink->OnClosed(reason); });
    watchers_.erase(id);
    cv_.SignalAll();
  }
}

void WatchHub::Advance(int64_t id) {
  auto it = watchers_.find(id);
  if (it == watchers_.end()) return;
  const std::string prefix = it->second.prefix;
  WatchSink* const sink = it->second.sink;
  const int64_t cursor = it->second.cursor;
  std::vector<Event> events;
  int64_t new_cursor = cursor;
  absl::Status error;

  if (cursor + 1 >= ring_first_) {
    // The ring holds every revision after the cursor.
    size_t i = static_cast<size_t>(cursor + 1 - ring_first_);
    for (; i < ring_.size(); ++i) {
      if (static_cast<int64_t>(events.size()) >= options_.max_events_per_call) break;
      const Event& e = ring_[i];
      if (HasPrefix(e.kv.key, prefix)) events.push_back(e);
    }
    new_cursor = ring_first_ + static_cast<int64_t>(i) - 1;
  } else {
    // Behind the ring: read the table up to where the ring starts; the ring does the rest.
    const int64_t through = ring_first_ - 1;
    absl::StatusOr<HistoryChunk> chunk;
    absl::Status thrown = CallOut(id, "read the watch history",
                                  [&] { chunk = reader_(prefix, cursor, through, options_.max_events_per_call); });
    if (!thrown.ok()) chunk = thrown;
    if (chunk.ok()) {
      events = std::move(chunk->events);
      new_cursor = chunk->scanned_through;
    } else {
      error = chunk.status();
    }
  }

  it = watchers_.find(id);
  if (it == watchers_.end()) return;  // removed while reading
  Watcher& w = it->second;
  if (!error.ok()) {
    EndWatch(id, prefix, sink, error);
    return;
  }
  w.cursor = new_cursor;
  // Progress only once caught up and only when there is news, so idle watches stay quiet.
  const bool progress = events.empty() && new_cursor == revision_ && new_cursor > w.notified;
  if (events.empty() && !progress) return;
  w.notified = new_cursor;
  absl::Status thrown = CallOut(id, progress ? "report watch progress" : "deliver watch events", [&] {
    if (progress) {
      sink->OnProgress(new_cursor);
    } else {
      sink->OnEvents(std::move(events));
    }
  });
  // A sink that threw may have missed events: its watch ends with the error (its owner relists).
  if (!thrown.ok() && watchers_.contains(id)) EndWatch(id, prefix, sink, thrown);
}

void WatchHub::EndWatch(int64_t id, const std::string& prefix, WatchSink* sink, const absl::Status& error) {
  logger_.Warning("Store watch ended", {{"prefix", prefix}, {"err", error}});
  (void)CallOut(id, "close a watch", [&] { sink->OnClosed(error); });
  watchers_.erase(id);
  cv_.SignalAll();
}

absl::Status WatchHub::CallOut(int64_t id, std::string_view what, absl::FunctionRef<void()> call) {
  busy_id_ = id;
  mu_.Unlock();
  absl::Status thrown = RunGuarded(logger_, "store-watch", what, call);
  mu_.Lock();
  busy_id_ = 0;
  cv_.SignalAll();
  return thrown;
}

}  // namespace cubelet::storage::sqlite
