#include "kuberuntime/pod_resize.h"

#include <algorithm>

#include "common/strings.h"
#include "kuberuntime/container_config.h"

namespace cubelet::kuberuntime {
namespace {

std::string ResizeRestartPolicy(const api::Container& c, const std::string& resource) {
  for (const auto& p : c.resize_policy) {
    if (p.resource_name == resource) return p.restart_policy;
  }
  return "NotRequired";
}

}  // namespace

PodResize ComputePodResize(const api::Pod& pod, const RuntimePodStatus& status, const PodActions& actions,
                           const RuntimeOptions& options) {
  PodResize out;
  if (actions.kill_pod || actions.create_sandbox) return out;
  for (size_t i = 0; i < pod.spec.containers.size(); ++i) {
    const api::Container& c = pod.spec.containers[i];
    const ContainerRuntimeStatus* running = status.FindContainer(c.name);
    if (running == nullptr || running->status.state != cri::ContainerState::kRunning) continue;
    if (!running->status.resources) continue;
    const bool killed = std::any_of(actions.containers_to_kill.begin(), actions.containers_to_kill.end(),
                                    [&](const ContainerToKill& k) { return k.container_id == running->status.id; });
    if (killed) continue;
    const cri::LinuxContainerResources want = ContainerResources(pod, c, options);
    const cri::LinuxContainerResources& have = *running->status.resources;
    // "No limit" is 0 in what cubelet sends and may read back as 0 or -1.
    auto limit = [](int64_t v) { return std::max<int64_t>(v, 0); };
    const bool cpu = want.cpu_shares != have.cpu_shares || limit(want.cpu_quota) != limit(have.cpu_quota) ||
                     (want.cpu_period != 0 && want.cpu_period != have.cpu_period);
    const bool memory = limit(want.memory_limit_in_bytes) != limit(have.memory_limit_in_bytes);
    if (!cpu && !memory) continue;
    if ((cpu && ResizeRestartPolicy(c, "cpu") == "RestartContainer") ||
        (memory && ResizeRestartPolicy(c, "memory") == "RestartContainer")) {
      out.restart.push_back({running->status.id, c.name,
                             StrCat("Container ", c.name, " resize requires a restart"), std::nullopt});
      out.restart_indexes.push_back(i);
    } else {
      out.update.push_back({running->status.id, c.name, want});
    }
  }
  return out;
}

}  // namespace cubelet::kuberuntime
