// Owns: ComputePodResize, the in-place resize part of upstream's computePodActions (feature gate
// InPlacePodVerticalScaling): running containers whose cpu or memory in the spec differ from
// what the runtime reports as applied are updated in place (resizePolicy NotRequired, the
// default) or restarted (RestartContainer). Pure: no I/O.
// Does not own: the pod cgroup (cm) or the CRI calls (KubeRuntimeManager::SyncPod).
#pragma once

#include <string>
#include <vector>

#include "api/types.h"
#include "cri/types.h"
#include "kuberuntime/pod_actions.h"
#include "kuberuntime/runtime_options.h"
#include "kuberuntime/runtime_pod_status.h"

namespace cubelet::kuberuntime {

struct ContainerToUpdate {
  std::string container_id;
  std::string name;
  cri::LinuxContainerResources resources;
};

struct PodResize {
  std::vector<ContainerToUpdate> update;  // UpdateContainerResources
  std::vector<ContainerToKill> restart;   // killed, then started again in the same sync
  std::vector<size_t> restart_indexes;    // into spec.containers, for the restart
};

// Only running containers that `actions` leaves alone are considered; a runtime that does not
// report a container's resources leaves it as it is.
PodResize ComputePodResize(const api::Pod& pod, const RuntimePodStatus& status, const PodActions& actions,
                           const RuntimeOptions& options);

}  // namespace cubelet::kuberuntime
