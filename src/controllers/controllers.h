// Owns: the controllers cubelet-server runs in its own process (upstream kube-controller-manager
// and the apiserver's own post-start hooks, for what a cluster needs without them): bootstrap
// objects (the default, kube-system, kube-public and kube-node-lease namespaces; the
// system-node-critical and system-cluster-critical PriorityClasses; the `kubernetes` Service in
// default with Endpoints at the advertise address), a `default` ServiceAccount in every
// namespace, namespace deletion (delete the content of a Terminating namespace, then its
// finalizer), garbage collection by ownerReferences (background, foreground and orphan
// propagation), node lifecycle (a node whose kubelet stopped reporting goes Unknown and is
// tainted unreachable; condition taints follow its conditions) and taint eviction (pods on a
// node tainted NoExecute are deleted once their tolerations run out).
// Does not own: the scheduler (src/scheduler), event expiry (the store's TTL).
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/logger.h"
#include "registry/resource_set.h"

namespace cubelet::controllers {

struct ControllerOptions {
  std::string advertise_address;  // the kubernetes Endpoints' address
  int secure_port = 6443;
  std::string kubernetes_service_ip = "10.0.0.1";  // the first address of the service range
  absl::Duration resync_interval = absl::Seconds(10);

  // Node lifecycle, with kube-controller-manager's defaults. Off for setups that keep fake
  // nodes without heartbeats (benchmarks): their nodes would otherwise go Unknown and tainted.
  // Taint eviction runs with it.
  bool enable_node_lifecycle = true;
  // How often node health is looked at (--node-monitor-period).
  absl::Duration node_monitor_period = absl::Seconds(5);
  // A node whose Lease and Ready heartbeat have not changed for this long goes Unknown
  // (--node-monitor-grace-period).
  absl::Duration node_monitor_grace_period = absl::Seconds(40);
  // The same for a node that never reported a Ready condition, counted from its creation
  // (--node-startup-grace-period).
  absl::Duration node_startup_grace_period = absl::Seconds(60);
};

// Runs every controller on its own thread(s) until destroyed.
class ControllerManager {
 public:
  virtual ~ControllerManager() = default;
  // Creates the bootstrap objects (idempotent; existing ones are kept), then starts the loops.
  // Returns once the bootstrap namespaces exist (the server is ready only then).
  virtual absl::Status Start() = 0;
  virtual void Stop() = 0;
};

std::unique_ptr<ControllerManager> NewControllerManager(registry::ResourceSet* resources, ControllerOptions options,
                                                        const Clock* clock, Logger logger);

}  // namespace cubelet::controllers
