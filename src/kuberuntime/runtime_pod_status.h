// Owns: RuntimePodStatus, what the runtime holds for one pod (upstream's kubecontainer.PodStatus):
// its sandboxes and containers, newest first, with the identity read from their labels.
#pragma once

#include <string>
#include <vector>

#include "cri/types.h"
#include "kuberuntime/labels.h"

namespace cubelet::kuberuntime {

struct ContainerRuntimeStatus {
  cri::ContainerStatus status;
  ContainerIdentity identity;
  std::string sandbox_id;
};

struct RuntimePodStatus {
  std::string uid;
  std::string name;
  std::string namespace_;
  std::vector<cri::PodSandboxStatus> sandboxes;      // newest first
  std::vector<ContainerRuntimeStatus> containers;    // newest first

  // The newest instance of the container named `name`, or null.
  const ContainerRuntimeStatus* FindContainer(const std::string& name) const {
    for (const auto& c : containers) {
      if (c.identity.container_name == name) return &c;
    }
    return nullptr;
  }
  // Every instance of `name`, newest first.
  std::vector<const ContainerRuntimeStatus*> FindAll(const std::string& name) const {
    std::vector<const ContainerRuntimeStatus*> out;
    for (const auto& c : containers) {
      if (c.identity.container_name == name) out.push_back(&c);
    }
    return out;
  }
  // IPs of the newest sandbox when it is ready.
  std::vector<std::string> PodIps() const {
    std::vector<std::string> ips;
    if (!sandboxes.empty() && sandboxes[0].state == cri::PodSandboxState::kReady && !sandboxes[0].ip.empty()) {
      ips.push_back(sandboxes[0].ip);
      for (const auto& ip : sandboxes[0].additional_ips) ips.push_back(ip);
    }
    return ips;
  }
};

}  // namespace cubelet::kuberuntime
