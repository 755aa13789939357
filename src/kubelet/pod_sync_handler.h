// Owns: PodSyncHandler, upstream's kubelet SyncPod / SyncTerminatingPod / SyncTerminatedPod:
// one pod's sync against the runtime and the API status it leads to.
// Does not own: scheduling of syncs (pod workers), the runtime calls (KubeRuntimeManager), the
// pod's cgroup (PodCgroups) or probing (PodProbeResults).
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/logger.h"
#include "kubelet/probe_results.h"
#include "kuberuntime/kuberuntime_manager.h"
#include "kuberuntime/pod_cgroups.h"
#include "status/generate.h"
#include "status/status_manager.h"
#include "volumes/volume_manager.h"
#include "workers/pod_workers.h"

namespace cubelet::kubelet {

// Thread-safe for different pods, as the pod workers call it.
class PodSyncHandler final : public workers::PodSyncer {
 public:
  PodSyncHandler(kuberuntime::KubeRuntimeManager* runtime, status::StatusManager* statuses,
                 volumes::VolumeManager* volumes, kuberuntime::PodCgroups* pod_cgroups,
                 const PodProbeResults* probes, Clock* clock, Logger logger, std::vector<std::string> node_ips);

  // Pending while containers it had to stop first (liveness restarts, changed definitions) stop
  // on the runtime's kill pool.
  absl::StatusOr<workers::SyncPodOutcome> SyncPod(const api::Pod& pod, std::stop_token cancelled,
                                                  StepDone resume) override;
  // Reads the runtime on the calling thread, then stops the pod on the runtime's kill pool.
  void SyncTerminatingPod(std::shared_ptr<const api::Pod> pod, std::optional<int64_t> grace_period_seconds,
                          std::stop_token cancelled, TerminatingDone done) override;
  // The pod's final status (its containers' exit codes) first, then its cleanup.
  absl::Status SyncTerminatedPod(const api::Pod& pod, bool deleted) override;

 private:
  // Reads the runtime and stores the generated status; returns both.
  absl::StatusOr<std::pair<kuberuntime::RuntimePodStatus, api::PodStatus>> RefreshStatus(const api::Pod& pod);

  kuberuntime::KubeRuntimeManager* runtime_;
  status::StatusManager* statuses_;
  volumes::VolumeManager* volumes_;
  kuberuntime::PodCgroups* pod_cgroups_;
  const PodProbeResults* probes_;
  Clock* clock_;
  Logger logger_;
  std::vector<std::string> node_ips_;
};

}  // namespace cubelet::kubelet
