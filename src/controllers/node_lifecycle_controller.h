// Owns: node health and the node controller's taints (upstream
// pkg/controller/nodelifecycle/node_lifecycle_controller.go, without zones): a node whose
// heartbeats (the Ready condition's lastHeartbeatTime and its Lease's renewTime in
// kube-node-lease) have not moved for nodeMonitorGracePeriod (nodeStartupGracePeriod, counted
// from creation, for a node that never reported) gets Ready, MemoryPressure, DiskPressure and
// PIDPressure set to Unknown through the status subresource; the taints follow the conditions
// (upstream's TaintNodesByCondition and taint-based eviction tainting): NoSchedule for Ready
// False/Unknown (not-ready/unreachable), the pressure conditions, NetworkUnavailable and
// spec.unschedulable, and NoExecute not-ready or unreachable while Ready is False or Unknown,
// removed when it is True again.
// Does not own: evicting the pods of tainted nodes (taint_eviction_controller.h), the default
// tolerations (admission/default_toleration_seconds.h), marking pods NotReady, zone disruption
// modes and the rate limit on NoExecute tainting (not implemented: a node is tainted at once).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "controllers/controllers.h"
#include "controllers/informer.h"
#include "controllers/work_queue.h"
#include "json/value.h"
#include "registry/resource_set.h"

namespace cubelet::controllers {

// Upstream's taint keys (k8s.io/api/core/v1 well_known_taints.go).
inline constexpr char kTaintNodeNotReady[] = "node.kubernetes.io/not-ready";
inline constexpr char kTaintNodeUnreachable[] = "node.kubernetes.io/unreachable";
inline constexpr char kTaintNodeUnschedulable[] = "node.kubernetes.io/unschedulable";
inline constexpr char kTaintNodeMemoryPressure[] = "node.kubernetes.io/memory-pressure";
inline constexpr char kTaintNodeDiskPressure[] = "node.kubernetes.io/disk-pressure";
inline constexpr char kTaintNodeNetworkUnavailable[] = "node.kubernetes.io/network-unavailable";
inline constexpr char kTaintNodePIDPressure[] = "node.kubernetes.io/pid-pressure";
// Where kubelets keep their Leases.
inline constexpr char kNodeLeaseNamespace[] = "kube-node-lease";

// Brings the taints the node controller manages into line with `node`'s conditions and
// spec.unschedulable; new taints get timeAdded `now`, taints of other owners are kept. True
// when spec.taints changed. A node without a Ready condition keeps its NoExecute taints.
bool ReconcileNodeControllerTaints(json::Value* node, absl::Time now);

// Sets Ready, MemoryPressure, DiskPressure and PIDPressure to Unknown as upstream does when a
// node stops reporting (missing ones are added as never updated). True when anything changed.
bool MarkNodeStatusUnknown(json::Value* node, absl::Time now);

class NodeLifecycleController {
 public:
  // Registers its watches (nodes, and leases in kube-node-lease) with `informers`. Does nothing
  // when nodes are not served.
  NodeLifecycleController(registry::ResourceSet* resources, Informers* informers, const ControllerOptions& options,
                          const Clock* clock, Logger logger);
  ~NodeLifecycleController();

  // Starts the monitor loop (every node_monitor_period) and the taint worker.
  void Start();
  void Stop();

  // True once both watches have delivered their initial objects.
  bool HasSynced() const;

  // One health pass over every node (upstream monitorNodeHealth): marks the silent ones
  // Unknown and reconciles every node's taints. Does nothing before HasSynced. Safe to call
  // from any thread (passes are serialized); exposed for tests. The first error, after trying
  // every node.
  absl::Status MonitorNodeHealth();
  // Reconciles the taints of one node with its conditions (on every change of the node).
  absl::Status SyncNode(const std::string& name);

  // When the controller last saw node `name` report (its Ready heartbeat or Lease moving, or
  // its creation for a node that never reported); nullopt for an unknown node. For tests.
  std::optional<absl::Time> LastProbe(const std::string& name) const;

 private:
  // A heartbeat as reported (the kubelet's clock) and when this controller saw it move (ours).
  struct Heartbeat {
    absl::Time reported;
    absl::Time observed;
  };
  // Objects this watch saw since a relist began; those it did not see by the end are gone.
  struct RelistSweep {
    bool active = false;
    std::set<std::string> seen;
  };

  void OnNodeEvent(const WatchEvent& event);
  void OnLeaseEvent(const WatchEvent& event);
  absl::Time ProbeLocked(const std::string& name) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Marks one node Unknown when its probe is older than its grace period, then reconciles its
  // taints.
  absl::Status MonitorNode(const ObjectPtr& node, absl::Time probe);
  // Writes the taints `latest` (the freshest copy of the node at hand) calls for, if any differ.
  absl::Status UpdateTaints(const std::string& name, const json::Value& latest);
  void RunMonitor();
  void RunWorker();

  registry::ResourceStore* const nodes_;
  registry::ResourceStore* const leases_;
  const absl::Duration monitor_period_;
  const absl::Duration monitor_grace_period_;
  const absl::Duration startup_grace_period_;
  const Clock* const clock_;
  const Logger logger_;
  Informer* node_informer_ = nullptr;
  Informer* lease_informer_ = nullptr;

  mutable absl::Mutex mu_;
  std::map<std::string, ObjectPtr> node_objects_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Heartbeat> node_heartbeats_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Heartbeat> lease_renewals_ ABSL_GUARDED_BY(mu_);
  RelistSweep node_sweep_ ABSL_GUARDED_BY(mu_);
  RelistSweep lease_sweep_ ABSL_GUARDED_BY(mu_);

  absl::Mutex pass_mu_;  // one health pass at a time
  WorkQueue monitor_queue_;  // the single monitor key, re-added after each pass
  WorkQueue queue_;          // node names whose taints to reconcile
  std::jthread monitor_thread_;
  std::jthread worker_thread_;
};

}  // namespace cubelet::controllers
