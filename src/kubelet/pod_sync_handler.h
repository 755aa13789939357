// Owns: PodSyncHandler, upstream's kubelet SyncPod / SyncTerminatingPod / SyncTerminatedPod:
// one pod's sync against the runtime and the API status it leads to.
// Does not own: scheduling of syncs (pod workers) or the runtime calls (KubeRuntimeManager).
#pragma once

#include "cm/container_manager.h"
#include "common/clock.h"
#include "common/logger.h"
#include "kuberuntime/kuberuntime_manager.h"
#include "status/generate.h"
#include "status/status_manager.h"
#include "volumes/volume_manager.h"
#include "workers/pod_workers.h"

namespace cubelet::kubelet {

class PodSyncHandler final : public workers::PodSyncer {
 public:
  // `containers` may be null (no pod cgroups are managed then, as in unit tests).
  PodSyncHandler(kuberuntime::KubeRuntimeManager* runtime, status::StatusManager* statuses,
                 volumes::VolumeManager* volumes, cm::ContainerManager* containers, Clock* clock, Logger logger,
                 std::vector<std::string> node_ips);

  absl::StatusOr<bool> SyncPod(const api::Pod& pod) override;
  absl::Status SyncTerminatingPod(const api::Pod& pod) override;
  absl::Status SyncTerminatedPod(const api::Pod& pod, bool removed) override;

  // Probe results used by status generation, and the containers probes want killed.
  void SetProbeResults(status::ProbeResults probes) { probes_ = std::move(probes); }
  void SetProbeKills(std::function<kuberuntime::ProbeKills(const api::Pod&)> kills) { probe_kills_ = std::move(kills); }

 private:
  // Reads the runtime and stores the generated status; returns both.
  absl::StatusOr<std::pair<kuberuntime::RuntimePodStatus, api::PodStatus>> RefreshStatus(const api::Pod& pod);

  kuberuntime::KubeRuntimeManager* runtime_;
  status::StatusManager* statuses_;
  volumes::VolumeManager* volumes_;
  cm::ContainerManager* containers_;
  Clock* clock_;
  Logger logger_;
  std::vector<std::string> node_ips_;
  status::ProbeResults probes_;
  std::function<kuberuntime::ProbeKills(const api::Pod&)> probe_kills_;
};

}  // namespace cubelet::kubelet
