// Owns: ComputePodActions, upstream's computePodActions: given a pod's spec and what the runtime
// holds for it, what SyncPod must do (kill, create a sandbox, which init container or regular
// containers to start, which to kill). Pure: no I/O, no clock.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "kuberuntime/runtime_pod_status.h"

namespace cubelet::kuberuntime {

struct ContainerToKill {
  std::string container_id;
  std::string name;
  std::string message;  // "Container web definition changed, will be restarted"
  // Set when a probe caused the kill: its terminationGracePeriodSeconds wins over the pod's.
  std::optional<int64_t> grace_period_override;
};

struct PodActions {
  bool kill_pod = false;
  bool create_sandbox = false;
  std::string sandbox_id;  // the current (or replaced) sandbox
  uint32_t attempt = 0;
  std::optional<size_t> next_init_container;  // index into spec.initContainers
  std::vector<size_t> containers_to_start;    // indexes into spec.containers
  std::vector<ContainerToKill> containers_to_kill;
};

// Containers whose liveness or startup probe failed (container id -> kill message and grace).
struct ProbeKill {
  std::string message;
  std::optional<int64_t> grace_period_seconds;
};
using ProbeKills = std::map<std::string, ProbeKill>;

PodActions ComputePodActions(const api::Pod& pod, const RuntimePodStatus& status, const ProbeKills& probe_kills = {});

// upstream's podSandboxChanged: (create a new sandbox?, its attempt, the current sandbox id).
struct SandboxChange {
  bool create = false;
  uint32_t attempt = 0;
  std::string sandbox_id;
};
SandboxChange PodSandboxChanged(const api::Pod& pod, const RuntimePodStatus& status);

// Whether a container that is not running should be (re)started, by restartPolicy.
bool ShouldContainerBeRestarted(const api::Container& container, const api::Pod& pod, const RuntimePodStatus& status);

}  // namespace cubelet::kuberuntime
