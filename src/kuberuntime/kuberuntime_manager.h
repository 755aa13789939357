// Owns: KubeRuntimeManager, the pod-level view of the CRI runtime (upstream's
// kuberuntime.kubeGenericRuntimeManager): read a pod's runtime status, SyncPod in upstream's
// order (kill, sandbox, init containers one at a time, containers), kill a pod within its grace
// period (its containers in parallel on the shared kill pool, then its sandboxes), and
// garbage-collect dead containers and sandboxes.
// Does not own: when to sync (pod workers), the API status (status/), how one container is
// stopped (ContainerKiller) or the pod's cgroup (PodCgroups).
//
// Thread-safe for different pods; callers run at most one operation per pod at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "common/clock.h"
#include "common/logger.h"
#include "cri/runtime_service.h"
#include "kuberuntime/backoff.h"
#include "kuberuntime/container_killer.h"
#include "kuberuntime/image_manager.h"
#include "kuberuntime/pod_actions.h"
#include "kuberuntime/pod_cgroups.h"
#include "kuberuntime/pod_resize.h"
#include "kuberuntime/reason_cache.h"
#include "kuberuntime/runtime_options.h"
#include "kuberuntime/runtime_pod_status.h"
#include "volumes/volume_manager.h"

namespace cubelet::kuberuntime {

struct PodSyncResult {
  absl::Status error;  // the first failure, for the pod worker's retry
  // The sync had to stop containers first (a liveness restart, a changed definition, a changed
  // sandbox): it started the kills on the kill pool and returned; `kills_done` was handed to
  // them and the caller syncs the pod again once it is called.
  bool kills_started = false;
};

class KubeRuntimeManager {
 public:
  using KillDone = ContainerKiller::Done;

  // `pod_cgroups` is asked to apply a pod's cgroup values again around in-place resizes.
  // `kill_threads` sizes the pool every container kill runs on.
  KubeRuntimeManager(cri::RuntimeService* runtime, cri::ImageService* images, volumes::VolumeManager* volumes,
                     PodCgroups* pod_cgroups, RuntimeOptions options, Logger logger, Clock* clock,
                     int kill_threads = kDefaultKillThreads);

  // What the runtime holds for the pod with `uid`.
  absl::StatusOr<RuntimePodStatus> GetPodStatus(const std::string& uid, const std::string& name,
                                                const std::string& namespace_);

  // upstream SyncPod. `cancelled` ends it early (CancelledError) between steps and during an
  // image pull. `kills_done` is used only when the result says kills_started.
  PodSyncResult SyncPod(const api::Pod& pod, const RuntimePodStatus& status, const ProbeKills& probe_kills,
                        std::stop_token cancelled, KillDone kills_done);

  // upstream KillPod: stops every running container (in parallel on the kill pool, each within
  // the grace period, at least 2 s) and then every sandbox of the pod. The grace period is
  // `grace_period_override`, else the pod's deletionGracePeriodSeconds or
  // terminationGracePeriodSeconds, else (a pod no source knows: `pod` null or without spec) the
  // containers' annotations. Returns as soon as the stops are queued and calls `done` once they
  // and the sandbox stops finished, on a pool thread (or the caller's when nothing runs); the
  // caller's thread is free meanwhile. `cancel` ends the stops under way (CancelledError; the
  // sandboxes are then left running for the caller's next kill).
  void KillPodAsync(const api::Pod* pod, const RuntimePodStatus& status, std::optional<int64_t> grace_period_override,
                    std::stop_token cancel, KillDone done);
  // KillPodAsync, waiting on the calling thread for this pod's stops only.
  absl::Status KillPod(const api::Pod* pod, const RuntimePodStatus& status,
                       std::optional<int64_t> grace_period_override = std::nullopt);

  // Every pod the runtime holds (containers and sandboxes carrying our labels), by uid.
  absl::StatusOr<std::vector<RuntimePodStatus>> ListPodStatuses();

  // Removes dead containers beyond the newest two instances per container name and dead
  // sandboxes other than the newest; for pods not in `active_uids`, everything dead and the
  // pod's log directory.
  void GarbageCollect(const std::set<std::string>& active_uids);

  ReasonCache& reasons() { return reasons_; }
  const RuntimeOptions& options() const { return options_; }
  // Container kills waiting for a thread of the kill pool; for tests.
  size_t QueuedKills() const { return killer_.Queued(); }

 private:
  // Starts one container; returns the StartError reason on failure (and records it).
  absl::Status StartContainer(const api::Pod& pod, const api::Container& container, bool is_init,
                              const std::string& sandbox_id, const cri::PodSandboxConfig& sandbox_config,
                              const RuntimePodStatus& status, const std::vector<std::string>& pod_ips,
                              const std::map<std::string, std::string>& volumes, std::stop_token cancelled);
  // What KillPod stops: the pod's running containers, with their grace periods.
  std::vector<ContainerKill> PodContainerKills(const api::Pod* pod, const RuntimePodStatus& status,
                                               std::optional<int64_t> grace_period_override) const;
  // StopPodSandbox for each ready sandbox; a sandbox already gone is not an error.
  absl::Status StopPodSandboxes(const std::vector<cri::PodSandboxStatus>& sandboxes);
  // upstream's verifyRunAsNonRoot: the effective user must not be root.
  absl::Status VerifyRunAsNonRoot(const api::Pod& pod, const api::Container& container, const std::string& image_ref);
  int32_t RestartCountFromLogs(const api::Pod& pod, const std::string& container) const;
  // upstream's doPodResizeAction: the pod cgroup first (for limits that grow), the containers,
  // then the pod cgroup again (for limits that shrink, which the kernel refuses while the
  // containers still have more).
  absl::Status ResizeContainers(const api::Pod& pod, const std::vector<ContainerToUpdate>& updates);

  cri::RuntimeService* runtime_;
  cri::ImageService* images_;
  volumes::VolumeManager* volumes_;
  PodCgroups* pod_cgroups_;
  RuntimeOptions options_;
  Logger logger_;
  Clock* clock_;
  Backoff crash_backoff_;
  Backoff image_backoff_;
  ImageManager image_manager_;
  ReasonCache reasons_;
  // Containers the previous sync stopped to restart them (liveness, a changed definition): the
  // next sync starts them without crash-loop back-off, as upstream's single SyncPod does.
  std::mutex restarts_mu_;
  std::set<std::string> killed_for_restart_;  // container ids; guarded by restarts_mu_
  ContainerKiller killer_;  // last: its pool stops before the members its kills use
};

// The runtime's pods from list results (what ListPodStatuses lists; housekeeping passes the
// PLEG's last relist), newest sandbox and container first; entries without our labels are left out.
std::vector<RuntimePodStatus> GroupPodStatuses(const std::vector<cri::PodSandbox>& sandboxes,
                                               const std::vector<cri::Container>& containers);

}  // namespace cubelet::kuberuntime
