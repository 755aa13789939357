// Owns: the scheduler's view of the cluster between watch events and its own decisions
// (upstream pkg/scheduler/backend/cache): nodes with the pods on them, pods the scheduler has
// assumed onto a node before the bind is acknowledged (they count from the decision on, so
// the next cycle does not place onto resources already promised), their expiry when a bind
// never shows up in the watch, and the incremental update of a Snapshot: only nodes whose
// generation changed are copied.
// Does not own: the queue of pending pods, the watches (scheduler.h feeds this).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"

namespace cubelet::scheduler {

// Thread-safe.
class Cache {
 public:
  // An assumed pod whose bind succeeded but which never showed up bound in the pod watch is
  // dropped `assumed_ttl` after the bind returned (upstream's durationToExpireAssumedPod; by
  // default never, as upstream: a relist delivers what a watch missed).
  explicit Cache(const Clock* clock, absl::Duration assumed_ttl = absl::InfiniteDuration());

  // The scheduler's decision: `pod` with node_name set counts on that node from now on.
  absl::Status AssumePod(PodInfoPtr pod);
  // The bind call returned (successfully): the expiry clock starts.
  void FinishBinding(std::string_view uid);
  // The bind failed: the assumed pod no longer counts.
  void ForgetPod(std::string_view uid);

  // Watch events of pods bound to a node (an assumed pod is confirmed by AddPod). What was
  // there before: nothing (a pod new to the cache), the pod this scheduler assumed, or the
  // previous version.
  struct Previous {
    PodInfoPtr pod;
    bool assumed = false;
  };
  Previous AddPod(PodInfoPtr pod);
  void RemovePod(std::string_view uid);
  bool IsAssumed(std::string_view uid) const;

  // False when nothing the scheduler reads changed (a heartbeat).
  bool AddOrUpdateNode(std::shared_ptr<const NodeSpecInfo> node);
  void RemoveNode(std::string_view name);
  void SetNamespaceLabels(const std::string& namespace_, selectors::Labels labels);
  void RemoveNamespace(std::string_view namespace_);
  // A Service's spec.selector (empty: it selects no pod).
  void SetService(const std::string& namespace_, const std::string& name, selectors::Labels selector);
  void RemoveService(const std::string& namespace_, const std::string& name);

  // Drops assumed pods whose bind finished more than assumed_ttl ago without a watch event.
  void CleanupExpiredAssumedPods();

  // Brings `snapshot` up to date, copying only the nodes changed since its last update. One
  // snapshot per cache (the scheduler's): what changed is tracked since the last call.
  void UpdateSnapshot(Snapshot* snapshot);

  size_t NodeCount() const;
  size_t PodCount() const;

 private:
  struct PodState {
    PodInfoPtr pod;
    bool assumed = false;
    bool binding_finished = false;
    absl::Time deadline = absl::InfiniteFuture();
  };
  struct NodeEntry {
    std::shared_ptr<NodeInfo> info;  // copied on write when a snapshot holds it
    bool has_spec = false;           // false: only pods reference it (node not seen or deleted)
  };

  NodeInfo& MutableNode(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddPodLocked(PodInfoPtr pod) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemovePodLocked(const PodInfo& pod) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock* const clock_;
  const absl::Duration assumed_ttl_;
  mutable absl::Mutex mu_;
  std::map<std::string, NodeEntry, std::less<>> nodes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, PodState, std::less<>> pods_ ABSL_GUARDED_BY(mu_);  // by uid
  std::map<std::string, selectors::Labels, std::less<>> namespaces_ ABSL_GUARDED_BY(mu_);
  // namespace -> Service name -> selector
  std::map<std::string, std::map<std::string, selectors::Labels, std::less<>>, std::less<>> services_
      ABSL_GUARDED_BY(mu_);
  // Bumped when the set of nodes, the namespaces or the services change: the snapshot's node
  // list is rebuilt then.
  int64_t layout_generation_ ABSL_GUARDED_BY(mu_) = 1;
  bool images_changed_ ABSL_GUARDED_BY(mu_) = false;  // a node's images changed: recount them
  std::set<std::string, std::less<>> dirty_ ABSL_GUARDED_BY(mu_);  // nodes changed since the last snapshot
};

}  // namespace cubelet::scheduler
