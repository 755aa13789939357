// Owns: PodConfig, upstream's pod configuration mux (pkg/kubelet/config/config.go PodConfig and
// podStorage, in PodConfigNotificationIncremental mode): each source's pods kept apart by source
// name, every source update merged into the minimal ADD / UPDATE / DELETE / REMOVE / RECONCILE
// for the agent, kubernetes.io/config.source and kubernetes.io/config.seen stamped, and whether
// every source has delivered its first SET (SeenAllSources).
// Does not own: reading pods (the sources) or acting on them (the agent's handler).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/logger.h"
#include "config/pod_update.h"

namespace cubelet::config {

// Thread-safe. Updates reach the handler in the order they were merged, on the thread of a
// caller of Merge and never under PodConfig's lock (so the handler may call back into
// PodConfig); when another thread is already delivering, Merge queues its updates for that
// thread and returns.
class PodConfig {
 public:
  // Called with each non-empty operation of a merge, in upstream's order: REMOVE, ADD, UPDATE,
  // DELETE, RECONCILE. A source's first SET that adds, updates and deletes nothing is announced
  // by an empty ADD, as upstream signals a source that became ready.
  using Handler = std::function<void(const PodUpdate&)>;

  PodConfig(const Clock* clock, Logger logger, Handler handler);

  // Registers `source` (SeenAllSources waits for its first SET from now on) and returns what the
  // source delivers through: each call merges the update as coming from `source`, whatever its
  // `source` field says (upstream PodConfig.Channel).
  PodUpdateFn Channel(const std::string& source);

  // Merges one update of `source` (upstream podStorage.Merge):
  //  - SET: the source's complete set; its pods missing from it are REMOVEd. Pods of other
  //    sources are never touched.
  //  - ADD, UPDATE, DELETE, RECONCILE: each pod is compared with what the source gave before,
  //    whatever the operation says: unknown UID → ADD; spec, labels, non-local annotations or
  //    deletion fields changed → DELETE when deletionTimestamp is set, else UPDATE; only status
  //    changed → RECONCILE; nothing changed → nothing.
  //  - REMOVE: the named UIDs the source had are REMOVEd.
  // Within one update, a second pod with the same namespace/name is ignored with a warning.
  void Merge(const std::string& source, PodUpdate update);

  // True when every registered source has delivered at least one SET (upstream SeenAllSources;
  // the agent holds back housekeeping until then, so that it never kills pods a source has not
  // yet reported). True when no source is registered.
  bool SeenAllSources() const;

  // Every source's current pods (upstream MergedState).
  std::vector<std::shared_ptr<const api::Pod>> MergedState() const;

 private:
  using PodMap = std::map<std::string, std::shared_ptr<const api::Pod>>;  // by UID

  std::vector<PodUpdate> MergeLocked(const std::string& source, PodUpdate update) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<std::shared_ptr<const api::Pod>> FilterInvalidPods(const std::vector<std::shared_ptr<const api::Pod>>& pods,
                                                                 const std::string& source) const;
  // Delivers queued updates until the queue is empty; only one thread at a time.
  void Deliver();

  const Clock* clock_;
  Logger logger_;
  Handler handler_;

  mutable absl::Mutex mu_;
  std::map<std::string, PodMap> pods_ ABSL_GUARDED_BY(mu_);     // by source
  std::set<std::string> sources_ ABSL_GUARDED_BY(mu_);          // registered by Channel
  std::set<std::string> sources_seen_ ABSL_GUARDED_BY(mu_);     // delivered a SET
  // Sources whose first SET the handler has applied: SeenAllSources reads this, so that
  // housekeeping never sees a source as ready before its pods reached the agent.
  std::set<std::string> sources_ready_ ABSL_GUARDED_BY(mu_);
  struct Pending {
    std::optional<PodUpdate> update;  // for the handler
    std::string ready_source;         // or: this source's first SET has been handled
  };
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);  // merged, not yet delivered
  bool delivering_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cubelet::config
