// The cacher's composition (upstream cacher.go + the reflector feeding watch_cache.go): lists
// the prefix, watches the store from the list's revision, and on its own updater thread decodes
// the store's changes and applies them to the WatchCache, which hands them to the Dispatcher.
// The store's callback only enqueues, so a slow decoder or many watchers never hold up the
// store.
#include "storage/cacher/cacher.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <exception>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "storage/cacher/dispatcher.h"
#include "storage/cacher/watch_cache.h"

namespace cubelet::storage::cacher {
namespace {

constexpr int64_t kListPageSize = 1000;
// How often a list is restarted when its revision is compacted between two pages.
constexpr int kListAttempts = 3;
// How long a streaming list from revision N waits for the cache to reach N (upstream's
// waitUntilFreshAndBlock uses 3 s too).
constexpr absl::Duration kFreshnessTimeout = absl::Seconds(3);
constexpr absl::Duration kRelistBackoffStart = absl::Milliseconds(100);
constexpr absl::Duration kRelistBackoffMax = absl::Seconds(30);

struct SourceItem {
  enum class Kind { kEvents, kProgress, kClosed };
  Kind kind = Kind::kEvents;
  std::vector<storage::Event> events;
  int64_t revision = 0;
  absl::Status status;
};

struct Listed {
  std::vector<ObjectPtr> objects;
  int64_t revision = 0;
};

}  // namespace

struct Cacher::Impl {
  // The cache's own store watch: enqueues for the updater thread.
  class SourceSink final : public storage::WatchSink {
   public:
    explicit SourceSink(Impl* impl) : impl_(impl) {}
    void OnEvents(std::vector<storage::Event> events) override {
      SourceItem item;
      item.events = std::move(events);
      impl_->PushSource(std::move(item));
    }
    void OnProgress(int64_t progress_revision) override {
      SourceItem item;
      item.kind = SourceItem::Kind::kProgress;
      item.revision = progress_revision;
      impl_->PushSource(std::move(item));
    }
    void OnClosed(const absl::Status& reason) override {
      SourceItem item;
      item.kind = SourceItem::Kind::kClosed;
      item.status = reason;
      impl_->PushSource(std::move(item));
    }

   private:
    Impl* const impl_;
  };

  enum class State { kNew, kRunning, kStopped };

  Impl(Store* store, CacherOptions opts, const Clock* clock, Logger logger)
      : store(store),
        options(std::move(opts)),
        clock(clock),
        logger(logger),
        cache(options.prefix, options.namespaced, options.indexed_field, options.event_capacity),
        dispatcher(internal::DispatcherOptions{.clock = clock,
                                               .bookmark_interval = options.bookmark_interval,
                                               .decoder = options.decoder,
                                               .indexed_field = options.indexed_field},
                   logger),
        publish([this](std::vector<internal::CacheEventPtr> events, int64_t revision) {
          dispatcher.Publish(std::move(events), revision);
        }) {}

  void PushSource(SourceItem item) {
    absl::MutexLock lock(&mu);
    source.push_back(std::move(item));
  }

  ObjectPtr Decode(const KeyValue& kv) const {
    absl::StatusOr<ObjectPtr> o = options.decoder(kv);
    if (!o.ok() || *o == nullptr) {
      logger.Warning("Skipping an object the decoder rejects",
                     {{"key", kv.key}, {"revision", static_cast<long long>(kv.mod_revision)},
                      {"err", o.ok() ? absl::InternalError("null object") : o.status()}});
      return nullptr;
    }
    return *std::move(o);
  }

  internal::Change ToChange(const storage::Event& e) const {
    internal::Change c;
    c.type = e.type;
    c.key = e.kv.key;
    c.revision = e.kv.mod_revision;
    if (e.type == storage::EventType::kPut) {
      c.object = Decode(e.kv);
    } else if (e.prev_kv) {
      // The deleted object as clients see it: its last state at the delete's revision.
      KeyValue last = *e.prev_kv;
      last.mod_revision = e.kv.mod_revision;
      c.object = Decode(last);
    }
    return c;
  }

  // Lists every key of the prefix at one revision, page by page.
  absl::StatusOr<Listed> ListAll() {
    for (int attempt = 1;; ++attempt) {
      Listed out;
      ListOptions list_options;
      list_options.prefix = options.prefix;
      list_options.limit = kListPageSize;
      bool first = true;
      absl::Status failed;
      while (true) {
        absl::StatusOr<storage::ListResult> page = store->List(list_options);
        if (!page.ok()) {
          failed = page.status();
          break;
        }
        if (first) {
          out.revision = page->revision;
          list_options.revision = page->revision;
          first = false;
        }
        for (const KeyValue& kv : page->kvs) {
          if (ObjectPtr o = Decode(kv)) out.objects.push_back(std::move(o));
        }
        if (!page->more || page->kvs.empty()) break;
        list_options.start_after = page->kvs.back().key;
      }
      if (failed.ok()) return out;
      // The list's revision was compacted between two pages: start over at a newer one.
      if (!first && IsCompacted(failed) && attempt < kListAttempts) continue;
      return Annotate(failed, StrCat("list ", options.prefix));
    }
  }

  // Fills the cache from a list and starts the store watch after it. With `reset`, the
  // watches of the previous state end (their clients resume or relist).
  absl::Status ListAndWatch(bool reset) {
    ASSIGN_OR_RETURN(Listed listed, ListAll());
    const int64_t revision = listed.revision;
    // Watches of the old state end without an error, as upstream's terminateAllWatchers does:
    // their clients resume from the last revision they saw (served from the store's history).
    cache.Replace(std::move(listed.objects), revision, [&] {
      if (reset) dispatcher.Reset(absl::OkStatus());
    });
    ASSIGN_OR_RETURN(store_watch, store->WatchPrefix(options.prefix, revision, &source_sink));
    return absl::OkStatus();
  }

  // False when stopping.
  bool WaitUnlessStopping(absl::Duration d) {
    absl::MutexLock lock(&mu);
    return !mu.AwaitWithTimeout(absl::Condition(&stopping), d);
  }

  // The store watch ended: list again until it works or the cacher stops. False when stopping.
  bool Relist(const absl::Status& reason) {
    logger.Warning("Watch cache lost its store watch; relisting",
                   {{"prefix", options.prefix}, {"err", reason}});
    store_watch.reset();
    absl::Duration backoff = kRelistBackoffStart;
    while (true) {
      absl::Status s = ListAndWatch(/*reset=*/true);
      if (s.ok()) return true;
      store_watch.reset();
      logger.Warning("Watch cache relist failed", {{"prefix", options.prefix}, {"err", s}, {"retryIn", backoff}});
      if (!WaitUnlessStopping(backoff)) return false;
      backoff = std::min(backoff * 2, kRelistBackoffMax);
    }
  }

  void RunUpdater() {
    bool running = true;
    // Set when a step threw: the cache may have missed or half-applied a change, so it relists
    // as after a lost store watch (its clients' watches are reset and resume).
    absl::Status failed;
    while (running) {
      absl::Status thrown = RunGuarded(logger, "watch-cache", "apply store events", [&] {
        if (!failed.ok()) {
          if (!WaitUnlessStopping(kRelistBackoffStart)) {
            running = false;
            return;
          }
          running = Relist(std::exchange(failed, absl::OkStatus()));
          return;
        }
        std::deque<SourceItem> items;
        {
          absl::MutexLock lock(&mu);
          auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return !source.empty() || stopping; };
          mu.Await(absl::Condition(&ready));
          if (stopping) {
            running = false;
            return;
          }
          items = std::exchange(source, {});
        }
        std::vector<internal::Change> changes;
        auto flush = [&] {
          if (!changes.empty()) cache.Apply(std::exchange(changes, {}), publish);
        };
        for (SourceItem& item : items) {
          switch (item.kind) {
            case SourceItem::Kind::kEvents:
              for (const storage::Event& e : item.events) changes.push_back(ToChange(e));
              break;
            case SourceItem::Kind::kProgress:
              flush();
              cache.Progress(item.revision, publish);
              break;
            case SourceItem::Kind::kClosed:
              flush();
              running = Relist(item.status);
              break;
          }
          if (!running) break;
        }
        if (running) flush();
      });
      if (!thrown.ok()) failed = Annotate(thrown, StrCat("watch cache of ", options.prefix));
    }
    store_watch.reset();
  }

  absl::StatusOr<std::unique_ptr<WatchHandle>> Watch(const WatchRequest& request, WatchSink* client) {
    if (client == nullptr) return absl::InvalidArgumentError("watch needs a sink");
    {
      absl::MutexLock lock(&mu);
      if (state != State::kRunning) return absl::UnavailableError(StrCat("watch cache of ", options.prefix, " is not running"));
    }
    internal::Filter filter(request.namespace_, request.name, request.labels, request.fields, options.indexed_field);
    auto w = std::make_shared<internal::Watcher>(std::move(filter), client);
    w->allow_bookmarks = request.allow_bookmarks;
    w->send_initial_events = request.send_initial_events;
    const int64_t start = std::max<int64_t>(request.start_revision, 0);
    const bool snapshot = start == 0 || request.send_initial_events;
    // A streaming list shows the state at or after N: wait (briefly) until the cache has it.
    if (request.send_initial_events && start > 0) RETURN_IF_ERROR(cache.WaitForRevision(start, kFreshnessTimeout));

    absl::Status s = cache.StartWatch(w->filter, start, snapshot, [&](internal::WatchStart ws) {
      w->initial_objects = std::move(ws.objects);
      w->replay_events = std::move(ws.events);
      w->skip_until = std::max(ws.revision, start);
      w->initial_end_revision = ws.revision;
      if (!dispatcher.Register(w)) return absl::UnavailableError(StrCat("watch cache of ", options.prefix, " stopped"));
      return absl::OkStatus();
    });
    if (s.ok()) return dispatcher.MakeHandle(std::move(w));
    if (!IsCompacted(s)) return s;

    // Older than the ring: serve this watch from the store's history while it has it.
    w->fallback = true;
    w->skip_until = start;
    if (!dispatcher.Register(w)) return absl::UnavailableError(StrCat("watch cache of ", options.prefix, " stopped"));
    absl::Status fallback = dispatcher.StartFallback(w, store, options.prefix, start);
    if (!fallback.ok()) {
      dispatcher.MakeHandle(std::move(w)).reset();  // unregisters it
      return IsCompacted(fallback) ? s : fallback;
    }
    logger.VInfo(4, "Watch served from the store's history", {{"prefix", options.prefix},
                                                             {"resourceVersion", static_cast<long long>(start)}});
    return dispatcher.MakeHandle(std::move(w));
  }

  Store* const store;
  const CacherOptions options;
  const Clock* const clock;
  const Logger logger;
  internal::WatchCache cache;
  internal::Dispatcher dispatcher;
  const internal::WatchCache::Publish publish;
  SourceSink source_sink{this};

  absl::Mutex mu;
  std::deque<SourceItem> source ABSL_GUARDED_BY(mu);
  bool stopping ABSL_GUARDED_BY(mu) = false;
  State state ABSL_GUARDED_BY(mu) = State::kNew;
  // Start() sets it before the updater thread exists; then only the updater thread touches it
  // (Stop() again after joining it).
  std::unique_ptr<storage::Watch> store_watch;
  std::jthread updater;
};

Cacher::Cacher(Store* store, CacherOptions options, const Clock* clock, Logger logger)
    : impl_(std::make_unique<Impl>(store, std::move(options), clock, std::move(logger))) {}

Cacher::~Cacher() { Stop(); }

absl::Status Cacher::Start() {
  {
    absl::MutexLock lock(&impl_->mu);
    if (impl_->state != Impl::State::kNew) return absl::FailedPreconditionError("watch cache already started");
  }
  absl::Status s = impl_->ListAndWatch(/*reset=*/false);
  if (!s.ok()) {
    impl_->store_watch.reset();
    return s;
  }
  impl_->dispatcher.Start();
  impl_->updater = StartThread(impl_->logger, "watch-cache", [impl = impl_.get()] { impl->RunUpdater(); });
  absl::MutexLock lock(&impl_->mu);
  impl_->state = Impl::State::kRunning;
  impl_->logger.VInfo(2, "Watch cache started", {{"prefix", impl_->options.prefix},
                                                 {"revision", static_cast<long long>(impl_->cache.Revision())}});
  return absl::OkStatus();
}

void Cacher::Stop() {
  {
    absl::MutexLock lock(&impl_->mu);
    if (impl_->state == Impl::State::kStopped) return;
    impl_->state = Impl::State::kStopped;
    impl_->stopping = true;
  }
  if (impl_->updater.joinable()) impl_->updater.join();
  impl_->store_watch.reset();
  // A clean end (no error event), as upstream closes its watchers when the cacher stops.
  impl_->dispatcher.Stop(absl::OkStatus());
}

int64_t Cacher::Revision() const { return impl_->cache.Revision(); }

absl::Status Cacher::WaitForRevision(int64_t revision, absl::Duration timeout) const {
  return impl_->cache.WaitForRevision(revision, timeout);
}

ObjectPtr Cacher::Get(const std::string& key) const { return impl_->cache.Get(key); }

ListResult Cacher::List(const ListRequest& request) const {
  internal::Filter filter(request.namespace_, request.name, request.labels, request.fields,
                          impl_->options.indexed_field);
  return impl_->cache.List(request, filter);
}

absl::StatusOr<std::unique_ptr<WatchHandle>> Cacher::Watch(const WatchRequest& request, WatchSink* sink) {
  return impl_->Watch(request, sink);
}

}  // namespace cubelet::storage::cacher
