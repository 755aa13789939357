// Owns: evicting pods from nodes tainted NoExecute (upstream
// pkg/controller/tainteviction/taint_eviction.go): a pod bound to such a node that does not
// tolerate every NoExecute taint is deleted at once; one that tolerates them with
// tolerationSeconds is deleted when the first of them runs out, counted from each taint's
// timeAdded (or from when this controller first saw a taint without one); one that tolerates
// them forever stays. A taint removed (or the pod's node changing) before the time comes
// cancels the deletion. Deletion is graceful (the pod's own grace period, preconditioned on its
// uid), after a DisruptionTarget condition, with upstream's TaintManagerEviction events.
// Does not own: putting the taints on nodes (node_lifecycle_controller.h, users), the pods'
// termination (their kubelet).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "controllers/informer.h"
#include "controllers/work_queue.h"
#include "json/value.h"
#include "registry/resource_set.h"

namespace cubelet::controllers {

// A NoExecute taint and the moment its tolerations start counting.
struct NoExecuteTaint {
  std::string key;
  std::string value;
  absl::Time since;
  bool operator==(const NoExecuteTaint&) const = default;
};

// Upstream's Toleration.ToleratesTaint for `toleration` (a JSON toleration) and a taint.
bool ToleratesTaint(const json::Value& toleration, std::string_view key, std::string_view value,
                    std::string_view effect);

// When a pod with `tolerations` (spec.tolerations, may be null) must go from a node with
// `taints`: InfinitePast for at once (some taint is not tolerated), nullopt for never (no
// taints, or tolerated without tolerationSeconds). Each taint counts from its own `since`
// with the first toleration that tolerates it, as upstream picks it.
std::optional<absl::Time> EvictionTime(const json::Value* tolerations, const std::vector<NoExecuteTaint>& taints);

class TaintEvictionController {
 public:
  // Registers its watches (nodes and pods) with `informers`. Does nothing when either kind is
  // not served.
  TaintEvictionController(registry::ResourceSet* resources, Informers* informers, const Clock* clock, Logger logger);
  ~TaintEvictionController();

  void Start();
  void Stop();

  // Decides for one pod ("namespace/name"), deleting it when its time has come; a pending
  // deletion re-queues it for then. Exposed for tests.
  absl::Status SyncPod(const std::string& key);

  // When the pod "namespace/name" is due to be deleted, if a deletion is pending. For tests.
  std::optional<absl::Time> ScheduledEviction(const std::string& key) const;

 private:
  struct RelistSweep {
    bool active = false;
    std::set<std::string> seen;
  };

  void OnNodeEvent(const WatchEvent& event);
  void OnPodEvent(const WatchEvent& event);
  void SetNodeTaintsLocked(const std::string& node, std::vector<NoExecuteTaint> taints)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemovePodLocked(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EnqueueNodePodsLocked(const std::string& node) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the DisruptionTarget condition, then deletes the pod gracefully.
  absl::Status Evict(const std::string& namespace_, const std::string& name, const std::string& uid);
  void RecordEvent(const json::Value& pod, const std::string& message);
  void Run();

  registry::ResourceStore* const pods_;
  registry::ResourceStore* const nodes_;
  registry::ResourceStore* const events_;
  const Clock* const clock_;
  const Logger logger_;
  WorkQueue queue_;  // pod keys
  std::jthread thread_;

  mutable absl::Mutex mu_;
  std::map<std::string, std::vector<NoExecuteTaint>> tainted_nodes_ ABSL_GUARDED_BY(mu_);  // NoExecute only
  std::map<std::string, ObjectPtr> pods_by_key_ ABSL_GUARDED_BY(mu_);                      // bound pods
  std::map<std::string, std::set<std::string>> pods_by_node_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> scheduled_ ABSL_GUARDED_BY(mu_);  // pending deletions
  RelistSweep node_sweep_ ABSL_GUARDED_BY(mu_);
  RelistSweep pod_sweep_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cubelet::controllers
