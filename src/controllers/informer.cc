#include "controllers/informer.h"

#include <charconv>

#include "apierrors/apierrors.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"

namespace cubelet::controllers {
namespace {

// A watch the cache ended is resumed after this back-off (doubling while resuming fails).
constexpr BackoffPolicy kRestartBackoff{absl::Milliseconds(200), absl::Seconds(30)};

}  // namespace

Informer::Informer(Informers* owner, int index, registry::ResourceStore* store, std::string namespace_,
                   registry::ResourceStore::WatchOptions options, InformerHandler handler)
    : owner_(owner),
      index_(index),
      store_(store),
      namespace_(std::move(namespace_)),
      options_(std::move(options)),
      handler_(std::move(handler)) {}

Informer::~Informer() { Close(); }

bool Informer::OnEvent(const WatchEvent& event) {
  int64_t seen = last_revision_.load();
  while (event.revision > seen && !last_revision_.compare_exchange_weak(seen, event.revision)) {
  }
  if (event.type == EventType::kBookmark) {
    if (!event.initial_events_end) return true;
    synced_.store(true);
  }
  // A handler that throws loses this event only; the watch goes on (the cacher's dispatch thread).
  if (handler_.on_event) {
    (void)RunGuarded(owner_->logger_, "watch-dispatch", StrCat("controller event for ", store_->info().GroupResource().String()),
                     [&] { handler_.on_event(event); });
  }
  return true;
}

void Informer::OnClosed(const absl::Status& reason) {
  owner_->logger_.Warning("The watch cache ended a controller's watch; resuming it",
                          {{"resource", store_->info().GroupResource().String()}, {"err", reason}});
  owner_->ScheduleRestart(index_);
}

absl::Status Informer::Watch() {
  absl::MutexLock lock(&handle_mu_);
  handle_.reset();  // the ended watch: no calls come from it after this, so the revision is final
  registry::ResourceStore::WatchOptions options = options_;
  if (synced_.load() && last_revision_.load() > 0) {
    options.resource_version = std::to_string(last_revision_.load());
    options.send_initial_events = false;
    auto resumed = store_->Watch(namespace_, options, this);
    if (resumed.ok()) {
      handle_ = std::move(*resumed);
      return absl::OkStatus();
    }
    if (apierrors::ReasonOf(resumed.status()) != "Expired") {
      return Annotate(resumed.status(), StrCat("resume the watch of ", store_->info().GroupResource().String()));
    }
    // The changes since the last revision are gone: list again.
  }
  if (watched_before_) {
    // The handler saw objects that the new list may no longer show: it sweeps what it misses.
    synced_.store(false);
    if (handler_.on_relist) handler_.on_relist();
  }
  options.resource_version.clear();
  options.send_initial_events = true;
  auto handle = store_->Watch(namespace_, options, this);
  if (!handle.ok()) {
    return Annotate(handle.status(), StrCat("watch ", store_->info().GroupResource().String()));
  }
  watched_before_ = true;
  handle_ = std::move(*handle);
  return absl::OkStatus();
}

void Informer::Close() {
  std::unique_ptr<storage::cacher::WatchHandle> handle;
  {
    absl::MutexLock lock(&handle_mu_);
    handle = std::move(handle_);
  }
  handle.reset();  // blocks until OnEvent is no longer running
}

Informers::Informers(const Clock* clock, Logger logger)
    : clock_(clock), logger_(std::move(logger)), restarts_(clock, kRestartBackoff) {}

Informers::~Informers() { Stop(); }

Informer* Informers::Add(registry::ResourceStore* store, std::string namespace_,
                         registry::ResourceStore::WatchOptions options, InformerHandler handler) {
  const int index = static_cast<int>(informers_.size());
  informers_.push_back(
      std::make_unique<Informer>(this, index, store, std::move(namespace_), std::move(options), std::move(handler)));
  return informers_.back().get();
}

absl::Status Informers::Start() {
  absl::Status first;
  for (const auto& informer : informers_) {
    absl::Status s = informer->Watch();
    if (!s.ok()) {
      logger_.Warning("Failed to start a controller's watch; retrying", {{"err", s}});
      if (first.ok()) first = s;
      ScheduleRestart(informer->index_);
    }
  }
  thread_ = StartThread(logger_, "informers", [this] { RestartLoop(); });
  return first;
}

void Informers::Stop() {
  if (stopped_.exchange(true)) return;
  restarts_.ShutDown();
  if (thread_.joinable()) thread_.join();
  for (const auto& informer : informers_) informer->Close();
}

bool Informers::AllSynced() const {
  for (const auto& informer : informers_) {
    if (!informer->synced()) return false;
  }
  return true;
}

void Informers::ScheduleRestart(int index) {
  if (stopped_.load()) return;
  restarts_.AddRateLimited(std::to_string(index));
}

void Informers::RestartLoop() {
  while (auto key = restarts_.Get()) {
    int index = 0;
    std::from_chars(key->data(), key->data() + key->size(), index);
    Informer& informer = *informers_[index];
    absl::Status s;
    absl::Status thrown = RunGuarded(logger_, "informers", "resume a watch", [&] {
      s = stopped_.load() ? absl::OkStatus() : informer.Watch();
    });
    if (!thrown.ok()) s = thrown;
    if (s.ok()) {
      restarts_.Forget(*key);
    } else {
      logger_.Warning("Failed to resume a controller's watch; retrying", {{"err", s}});
      restarts_.AddRateLimited(*key);
    }
    restarts_.Done(*key);
  }
}

}  // namespace cubelet::controllers
