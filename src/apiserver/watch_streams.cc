#include "apiserver/watch_streams.h"

#include "apierrors/apierrors.h"
#include "apiserver/responses.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "json/write.h"

namespace cubelet::apiserver {

using storage::cacher::EventType;
using storage::cacher::ObjectPtr;
using storage::cacher::WatchEvent;

namespace {

const char* TypeName(EventType t) {
  switch (t) {
    case EventType::kAdded: return "ADDED";
    case EventType::kModified: return "MODIFIED";
    case EventType::kDeleted: return "DELETED";
    case EventType::kBookmark: return "BOOKMARK";
  }
  return "ERROR";
}

std::string Line(const char* type, std::string_view object_json) {
  std::string line;
  line.reserve(object_json.size() + 32);
  line += "{\"type\":\"";
  line += type;
  line += "\",\"object\":";
  line += object_json;
  line += "}\n";
  return line;
}

// The encoded line of the event the dispatcher thread is fanning out, shared by every plain
// JSON watcher that gets it with the same type. Holding the object keeps its address from
// being reused by another object while it is cached.
std::shared_ptr<const std::string> SharedLine(const WatchEvent& event) {
  struct Entry {
    ObjectPtr object;
    std::shared_ptr<const std::string> lines[3];
  };
  thread_local Entry cache;
  if (cache.object != event.object) {
    cache.object = event.object;
    for (auto& l : cache.lines) l.reset();
  }
  auto& slot = cache.lines[static_cast<int>(event.type)];
  if (slot == nullptr) slot = std::make_shared<const std::string>(Line(TypeName(event.type), event.object->json));
  return slot;
}

}  // namespace

class WatchSession final : public storage::cacher::WatchSink, public std::enable_shared_from_this<WatchSession> {
 public:
  WatchSession(WatchRequestOptions options, std::shared_ptr<httpserver::Stream> stream)
      : options_(std::move(options)), stream_(std::move(stream)) {}

  bool OnEvent(const WatchEvent& event) override {
    if (event.type == EventType::kBookmark) return stream_->Write(Bookmark(event));
    if (options_.format.kind == OutputKind::kJson && !options_.converter) return stream_->Write(SharedLine(event));
    json::Value object = options_.converter ? options_.converter(*event.object->object) : *event.object->object;
    if (options_.format.kind == OutputKind::kJson) return stream_->Write(Line(TypeName(event.type), json::Write(object)));
    if (options_.format.kind == OutputKind::kPartialObjectMetadata) {
      return stream_->Write(Line(TypeName(event.type), json::Write(PartialObjectMetadata(object))));
    }
    bool first = !sent_columns_.exchange(true);
    json::Value table = Table(*options_.resource, {&object}, options_.format,
                              ListMeta{std::to_string(event.revision), "", std::nullopt}, first, absl::Now());
    return stream_->Write(Line(TypeName(event.type), json::Write(table)));
  }

  void OnClosed(const absl::Status& reason) override {
    if (!reason.ok()) WriteError(reason);
    stream_->Finish();
  }

  void WriteError(const absl::Status& error) {
    apierrors::ApiStatus status = apierrors::FromStatus(error);
    stream_->Write(Line("ERROR", json::Write(status.ToJson())));
  }

  httpserver::Stream& stream() { return *stream_; }
  void set_handle(std::unique_ptr<storage::cacher::WatchHandle> h) { handle_ = std::move(h); }
  // Unregisters from the cache (blocks until no callback runs); only the streams' thread calls it.
  void StopWatching() { handle_.reset(); }
  absl::Time deadline() const { return deadline_; }
  void set_deadline(absl::Time t) { deadline_ = t; }

 private:
  std::string Bookmark(const WatchEvent& event) const {
    json::Value object = json::Value::EmptyObject();
    object.Set("kind", options_.resource->kind);
    object.Set("apiVersion", options_.resource->GroupVersion());
    json::Value& meta = object.Ensure({"metadata"});
    meta.Set("resourceVersion", std::to_string(event.revision));
    if (event.initial_events_end) meta.Ensure({"annotations"}).Set("k8s.io/initial-events-end", "true");
    return Line("BOOKMARK", json::Write(object));
  }

  WatchRequestOptions options_;
  std::shared_ptr<httpserver::Stream> stream_;
  std::unique_ptr<storage::cacher::WatchHandle> handle_;
  std::atomic<bool> sent_columns_{false};
  absl::Time deadline_;
};

WatchStreams::WatchStreams(const Clock* clock, Logger logger) : clock_(clock), logger_(std::move(logger)) {
  thread_ = StartThread(logger_, "watch-streams", [this] { Run(); });
}

WatchStreams::~WatchStreams() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

size_t WatchStreams::open_watches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

void WatchStreams::Serve(const std::shared_ptr<httpserver::Responder>& responder, WatchRequestOptions options,
                         const WatchStarter& start) {
  httpserver::Headers headers;
  headers.Add("Content-Type", "application/json");
  headers.Add("Cache-Control", "no-cache, private");
  std::shared_ptr<httpserver::Stream> stream = responder->StartStream(200, std::move(headers));
  absl::Duration timeout = options.timeout;
  auto session = std::make_shared<WatchSession>(std::move(options), stream);
  std::weak_ptr<WatchSession> weak = session;
  stream->OnClose([this, weak] {
    if (auto s = weak.lock()) Release(s);
  });
  auto handle = start(session.get());
  if (!handle.ok()) {
    session->WriteError(handle.status());
    stream->Finish();
    return;
  }
  session->set_handle(std::move(*handle));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      released_.push_back(session);
    } else {
      session->set_deadline(clock_->Now() + timeout);
      deadlines_.emplace(session->deadline(), session);
      ++open_;
    }
  }
  cv_.notify_all();
  // A client that left before the watch was registered was not seen by OnClose's Release.
  if (stream->closed()) Release(session);
}

void WatchStreams::Release(const std::shared_ptr<WatchSession>& session) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [begin, end] = deadlines_.equal_range(session->deadline());
  for (auto it = begin; it != end; ++it) {
    if (it->second == session) {
      deadlines_.erase(it);
      --open_;
      released_.push_back(session);
      cv_.notify_all();
      return;
    }
  }
}

void WatchStreams::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    std::vector<std::shared_ptr<WatchSession>> done;
    done.swap(released_);
    const absl::Time now = clock_->Now();
    std::vector<std::shared_ptr<WatchSession>> expired;
    while (!deadlines_.empty() && (stopping_ || deadlines_.begin()->first <= now)) {
      expired.push_back(deadlines_.begin()->second);
      deadlines_.erase(deadlines_.begin());
      --open_;
    }
    bool stop = stopping_;
    if (!done.empty() || !expired.empty()) {
      lock.unlock();
      // Each session on its own: one that throws is logged and the others are still ended.
      for (auto& s : done) (void)RunGuarded(logger_, "watch-streams", "end a closed watch", [&] { s->StopWatching(); });
      for (auto& s : expired) {
        (void)RunGuarded(logger_, "watch-streams", "end an expired watch", [&] {
          s->StopWatching();
          s->stream().Finish();  // the client sees the response end and watches again
        });
      }
      done.clear();
      expired.clear();
      lock.lock();
      continue;
    }
    if (stop) return;
    if (deadlines_.empty()) {
      cv_.wait(lock);
    } else {
      absl::Duration wait = deadlines_.begin()->first - now;
      cv_.wait_for(lock, absl::ToChronoMilliseconds(wait) + std::chrono::milliseconds(1));
    }
  }
}

}  // namespace cubelet::apiserver
