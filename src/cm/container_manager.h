// Owns: ContainerManager (upstream cm.ContainerManager, the cgroup part): at start the
// node-allocatable cgroup kubepods and the QoS cgroups; per pod, its cgroup before the sandbox
// and its removal after; orphaned pod cgroups.
// Does not own: the kernel calls (cgroups/), container cgroups (the runtime).
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cgroups/cgroup_manager.h"
#include "cm/cgroup_layout.h"
#include "cm/pod_container_manager.h"
#include "cm/qos_container_manager.h"
#include "common/logger.h"

namespace cubelet::cm {

struct ContainerManagerOptions {
  CgroupLayout layout;
  PodCgroupOptions pod;
  api::ResourceList capacity;     // HostCapacity()
  api::ResourceList allocatable;  // NodeAllocatable(capacity, reservations)
  bool enforce_pods_allocatable = true;  // enforceNodeAllocatable has "pods"
};

class ContainerManager {
 public:
  using ActivePodsFunc = std::function<std::vector<std::shared_ptr<const api::Pod>>()>;

  ContainerManager(std::unique_ptr<cgroups::CgroupManager> cgroups, ContainerManagerOptions options,
                   ActivePodsFunc active_pods, Logger logger);

  // Creates kubepods with the node's allocatable (capacity when "pods" is not enforced), then
  // the QoS cgroups. Errors name the cgroup and file; the agent does not start without them.
  absl::Status Start();
  // Before a pod's sandbox: when its cgroup is missing, refresh the QoS shares and create it.
  absl::Status EnsurePodCgroup(const api::Pod& pod);
  // After an in-place resize: the pod cgroup gets the pod's new values, the QoS shares follow.
  absl::Status ResizePodCgroup(const api::Pod& pod);
  // After a pod has stopped: its cgroup goes, and the QoS shares follow.
  absl::Status RemovePodCgroup(const api::Pod& pod);
  // Pod cgroups whose UID `possibly_running` denies (no source, pod worker or running runtime
  // pod has it) are removed: leftovers of pods deleted while the agent was down.
  void CleanupOrphanedPodCgroups(const std::function<bool(const std::string& uid)>& possibly_running);

  absl::StatusOr<std::string> PodCgroupParent(const api::Pod& pod) const {
    return cm::PodCgroupParent(options_.layout, pod);
  }
  const cgroups::CgroupManager& cgroups() const { return *cgroups_; }

 private:
  // The burstable cgroup's weight from the active pods; a failure is logged.
  void UpdateQosCgroups();

  std::unique_ptr<cgroups::CgroupManager> cgroups_;
  ContainerManagerOptions options_;
  ActivePodsFunc active_pods_;
  Logger logger_;
  QosContainerManager qos_;
  PodContainerManager pods_;
};

}  // namespace cubelet::cm
