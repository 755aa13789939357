// Owns: PodProbeResults, what a pod's sync reads from the prober (upstream: the readiness,
// startup and liveness results managers): results for the status, and the containers a failed
// liveness or startup probe wants restarted; ProberProbeResults serves it from the
// probes::ProbeManager.
// Does not own: running probes (probes/). Tests use a fake.
#pragma once

#include <optional>
#include <string>

#include "api/types.h"
#include "kuberuntime/pod_actions.h"
#include "probes/probe_manager.h"

namespace cubelet::kubelet {

// Thread-safe.
class PodProbeResults {
 public:
  virtual ~PodProbeResults() = default;
  // By container ID; std::nullopt while no result exists (yet).
  virtual std::optional<bool> Readiness(const std::string& container_id) const = 0;
  virtual std::optional<bool> Startup(const std::string& container_id) const = 0;
  // Containers of the pod whose liveness or startup probe failed, by container ID.
  virtual kuberuntime::ProbeKills FailedContainers(const api::Pod& pod) const = 0;
};

class ProberProbeResults final : public PodProbeResults {
 public:
  explicit ProberProbeResults(const probes::ProbeManager* prober) : prober_(prober) {}
  std::optional<bool> Readiness(const std::string& container_id) const override {
    return prober_->Readiness(container_id);
  }
  std::optional<bool> Startup(const std::string& container_id) const override { return prober_->Startup(container_id); }
  kuberuntime::ProbeKills FailedContainers(const api::Pod& pod) const override {
    kuberuntime::ProbeKills kills;
    for (auto& [id, k] : prober_->FailedContainers(pod)) kills[id] = {k.message, k.grace_period_seconds};
    return kills;
  }

 private:
  const probes::ProbeManager* prober_;
};

}  // namespace cubelet::kubelet
