// Owns: how a controller follows one resource (upstream client-go's reflector, reduced to what
// an in-process watch cache needs): a watch on the resource's cache that starts with the
// current objects (ADDED each, then a bookmark marking their end) and is resumed from the last
// revision seen when the cache ends it, or started afresh (a relist) when that revision is
// gone. The Informers set does the resuming on one thread, with back-off.
// Does not own: what a controller does with an event (its handler, which must not block: it
// runs on the cache's dispatch thread) or the cache itself (storage/cacher).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/logger.h"
#include "controllers/work_queue.h"
#include "registry/resource_store.h"

namespace cubelet::controllers {

using storage::cacher::EventType;
using storage::cacher::ObjectPtr;
using storage::cacher::WatchEvent;

// Called on the cache's dispatch thread; must not block (queue the work instead).
struct InformerHandler {
  // ADDED / MODIFIED / DELETED, and the bookmark (initial_events_end) that follows the initial
  // objects of a start or relist.
  std::function<void(const WatchEvent& event)> on_event;
  // A relist is about to start: objects deleted meanwhile get no DELETED event, so the handler
  // treats what the relist does not show again as gone. Called on the Informers thread.
  std::function<void()> on_relist;
};

class Informers;

// One watch on one resource. Created and owned by Informers.
class Informer final : public storage::cacher::WatchSink {
 public:
  Informer(Informers* owner, int index, registry::ResourceStore* store, std::string namespace_,
           registry::ResourceStore::WatchOptions options, InformerHandler handler);
  ~Informer() override;

  registry::ResourceStore* store() const { return store_; }
  // True once the initial objects have all been delivered.
  bool synced() const { return synced_.load(); }

  bool OnEvent(const WatchEvent& event) override;
  void OnClosed(const absl::Status& reason) override;

 private:
  friend class Informers;
  // (Re)starts the watch: from the last revision seen, or from scratch when there is none or
  // it is too old. Informers thread (or Start) only.
  absl::Status Watch();
  void Close();

  Informers* const owner_;
  const int index_;
  registry::ResourceStore* const store_;
  const std::string namespace_;
  const registry::ResourceStore::WatchOptions options_;
  const InformerHandler handler_;

  std::atomic<int64_t> last_revision_{0};
  std::atomic<bool> synced_{false};
  absl::Mutex handle_mu_;
  std::unique_ptr<storage::cacher::WatchHandle> handle_ ABSL_GUARDED_BY(handle_mu_);
  bool watched_before_ ABSL_GUARDED_BY(handle_mu_) = false;
};

// A set of informers with one thread that resumes the watches the cache ends. Thread-safe.
class Informers {
 public:
  Informers(const Clock* clock, Logger logger);
  ~Informers();

  // Adds an informer; its watch starts at Start. Before Start only.
  Informer* Add(registry::ResourceStore* store, std::string namespace_, registry::ResourceStore::WatchOptions options,
                InformerHandler handler);
  // Starts every watch; an error is the first one that failed (the rest are retried).
  absl::Status Start();
  // Ends every watch (blocking until no handler runs) and the resume thread.
  void Stop();
  bool AllSynced() const;

 private:
  friend class Informer;
  void ScheduleRestart(int index);
  void RestartLoop();

  const Clock* const clock_;
  const Logger logger_;
  std::vector<std::unique_ptr<Informer>> informers_;
  WorkQueue restarts_;
  std::jthread thread_;
  std::atomic<bool> stopped_{false};
};

}  // namespace cubelet::controllers
