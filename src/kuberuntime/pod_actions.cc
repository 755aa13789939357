#include "kuberuntime/pod_actions.h"

#include "common/strings.h"

namespace cubelet::kuberuntime {
namespace {

using cri::ContainerState;

bool RestartOnFailure(const api::Pod& pod) { return pod.spec.restart_policy != "Never"; }

bool IsInitFailed(const ContainerRuntimeStatus& s) {
  return (s.status.state == ContainerState::kExited && s.status.exit_code != 0) ||
         s.status.state == ContainerState::kUnknown;
}

bool Succeeded(const api::Container& c, const RuntimePodStatus& status) {
  const auto* s = status.FindContainer(c.name);
  return s != nullptr && s->status.state == ContainerState::kExited && s->status.exit_code == 0;
}

struct NextInit {
  const ContainerRuntimeStatus* last_status = nullptr;
  std::optional<size_t> next;
  bool done = false;
};

// upstream's findNextInitContainerToRun.
NextInit FindNextInitContainerToRun(const api::Pod& pod, const RuntimePodStatus& status) {
  const auto& inits = pod.spec.init_containers;
  if (inits.empty()) return {nullptr, std::nullopt, true};
  // A running regular container means every init container has run.
  for (const auto& c : pod.spec.containers) {
    const auto* s = status.FindContainer(c.name);
    if (s != nullptr && s->status.state == ContainerState::kRunning) return {nullptr, std::nullopt, true};
  }
  for (size_t i = inits.size(); i-- > 0;) {
    const auto* s = status.FindContainer(inits[i].name);
    if (s != nullptr && IsInitFailed(*s)) return {s, i, false};
  }
  for (size_t i = inits.size(); i-- > 0;) {
    const auto* s = status.FindContainer(inits[i].name);
    if (s == nullptr) continue;
    if (s->status.state == ContainerState::kRunning) return {nullptr, std::nullopt, false};
    if (s->status.state == ContainerState::kExited) {
      if (i == inits.size() - 1) return {nullptr, std::nullopt, true};
      return {nullptr, i + 1, false};
    }
  }
  return {nullptr, size_t{0}, false};
}

}  // namespace

SandboxChange PodSandboxChanged(const api::Pod& pod, const RuntimePodStatus& status) {
  if (status.sandboxes.empty()) return {true, 0, ""};
  int ready = 0;
  for (const auto& s : status.sandboxes) ready += s.state == cri::PodSandboxState::kReady ? 1 : 0;
  const auto& newest = status.sandboxes[0];
  const uint32_t next = newest.metadata.attempt + 1;
  if (ready > 1) return {true, next, newest.id};
  if (newest.state != cri::PodSandboxState::kReady) return {true, next, newest.id};
  const bool host_net = newest.namespace_options &&
                        newest.namespace_options->network == cri::NamespaceMode::kNode;
  if (newest.namespace_options && host_net != pod.spec.host_network) return {true, next, newest.id};
  if (!pod.spec.host_network && newest.ip.empty()) return {true, next, newest.id};
  return {false, newest.metadata.attempt, newest.id};
}

bool ShouldContainerBeRestarted(const api::Container& container, const api::Pod& pod, const RuntimePodStatus& status) {
  if (pod.metadata.deletion_timestamp) return false;
  const auto* s = status.FindContainer(container.name);
  if (s == nullptr) return true;
  switch (s->status.state) {
    case ContainerState::kRunning: return false;
    case ContainerState::kUnknown:
    case ContainerState::kCreated: return true;
    case ContainerState::kExited: break;
  }
  if (pod.spec.restart_policy == "Never") return false;
  if (pod.spec.restart_policy == "OnFailure" && s->status.exit_code == 0) return false;
  return true;
}

PodActions ComputePodActions(const api::Pod& pod, const RuntimePodStatus& status, const ProbeKills& probe_kills) {
  PodActions a;
  const SandboxChange change = PodSandboxChanged(pod, status);
  a.kill_pod = change.create;
  a.create_sandbox = change.create;
  a.sandbox_id = change.sandbox_id;
  a.attempt = change.attempt;

  if (change.create) {
    if (!RestartOnFailure(pod) && change.attempt != 0 && !status.containers.empty()) {
      // restartPolicy Never and the pod already ran: nothing runs again.
      a.create_sandbox = false;
      return a;
    }
    for (size_t i = 0; i < pod.spec.containers.size(); ++i) {
      if (pod.spec.restart_policy == "OnFailure" && Succeeded(pod.spec.containers[i], status)) continue;
      a.containers_to_start.push_back(i);
    }
    if (a.containers_to_start.empty() && !status.containers.empty()) {
      // Every container already succeeded: no new sandbox.
      a.create_sandbox = false;
      return a;
    }
    if (!pod.spec.init_containers.empty()) {
      a.next_init_container = 0;
      a.containers_to_start.clear();
    }
    return a;
  }

  const NextInit init = FindNextInitContainerToRun(pod, status);
  if (!init.done) {
    if (init.next) {
      const bool failed = init.last_status != nullptr && IsInitFailed(*init.last_status);
      if (failed && !RestartOnFailure(pod)) {
        a.kill_pod = true;
      } else {
        // An init container in an unknown state is stopped before it is started again.
        const auto* s = status.FindContainer(pod.spec.init_containers[*init.next].name);
        if (s != nullptr && s->status.state == ContainerState::kUnknown) {
          a.containers_to_kill.push_back({s->status.id, s->identity.container_name,
                                          "Init container is in unknown state, try killing it before restart",
                                          std::nullopt});
        }
        a.next_init_container = init.next;
      }
    }
    return a;
  }

  int keep = 0;
  for (size_t i = 0; i < pod.spec.containers.size(); ++i) {
    const api::Container& c = pod.spec.containers[i];
    const auto* s = status.FindContainer(c.name);
    if (s != nullptr && s->status.state == ContainerState::kUnknown) {
      a.containers_to_kill.push_back({s->status.id, c.name,
                                      StrCat("Container ", c.name, " is in unknown state, try killing it before restart"),
                                      std::nullopt});
    }
    if (s == nullptr || s->status.state != ContainerState::kRunning) {
      if (ShouldContainerBeRestarted(c, pod, status)) a.containers_to_start.push_back(i);
      continue;
    }
    bool restart = RestartOnFailure(pod);
    std::string message;
    std::optional<int64_t> grace;
    if (s->identity.hash != HashContainer(c)) {
      message = StrCat("Container ", c.name, " definition changed");
      restart = true;
    } else if (auto pk = probe_kills.find(s->status.id); pk != probe_kills.end()) {
      message = pk->second.message;
      grace = pk->second.grace_period_seconds;
    } else {
      ++keep;
      continue;
    }
    if (restart) {
      message += ", will be restarted";
      a.containers_to_start.push_back(i);
    }
    a.containers_to_kill.push_back({s->status.id, c.name, message, grace});
  }
  if (keep == 0 && a.containers_to_start.empty()) a.kill_pod = true;
  return a;
}

}  // namespace cubelet::kuberuntime
