// Owns: turning a pod's spec and what the runtime holds for it into the API PodStatus, as
// upstream's generateAPIPodStatus: container and init container statuses (state, lastState,
// restartCount, image, IDs, ready, started, termination messages), the phase, the kubelet's
// conditions with upstream's reasons and messages, IPs, start time and QoS class.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "api/types.h"
#include "kuberuntime/reason_cache.h"
#include "kuberuntime/runtime_pod_status.h"

namespace cubelet::status {

// Probe results by container ID; std::nullopt when no result exists (yet).
struct ProbeResults {
  std::function<std::optional<bool>(const std::string& container_id)> readiness;
  std::function<std::optional<bool>(const std::string& container_id)> startup;
};

struct StatusInputs {
  std::vector<std::string> node_ips;
  std::string runtime_name = "containerd";
  absl::Time now;
  const api::PodStatus* previous = nullptr;  // the last status reported, if any
  const kuberuntime::ReasonCache* reasons = nullptr;
  ProbeResults probes;
};

api::PodStatus GenerateApiPodStatus(const api::Pod& pod, const kuberuntime::RuntimePodStatus& runtime,
                                    const StatusInputs& inputs);

// upstream's getPhase over already generated container statuses.
std::string GetPhase(const api::Pod& pod, const std::vector<api::ContainerStatus>& init_statuses,
                     const std::vector<api::ContainerStatus>& statuses);

}  // namespace cubelet::status
