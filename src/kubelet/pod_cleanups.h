// Owns: PodCleanups, the housekeeping pass (upstream's Kubelet.HandlePodCleanups in
// pkg/kubelet/kubelet_pods.go), run every housekeeping period (2 s) on the timer queue once every
// pod source has delivered its pods: runtime pods that no source and no pod worker knows are
// killed (after a restart, or a removal the agent did not see), and pod cgroups no pod can be
// using any more are removed.
// Does not own: killing (the pod workers do, as for any pod), the cgroup calls (cm/), orphaned
// pod volume directories and mirror pods (later steps of the same pass; see HandlePodCleanups).
#pragma once

#include <functional>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "cm/container_manager.h"
#include "common/logger.h"
#include "common/timer_queue.h"
#include "pleg/generic_pleg.h"
#include "pod/pod_manager.h"
#include "workers/pod_workers.h"

namespace cubelet::kubelet {

// upstream's housekeepingPeriod.
inline constexpr absl::Duration kHousekeepingPeriod = absl::Seconds(2);

class PodCleanups {
 public:
  // True once every pod source has delivered its first full set (upstream's sourcesReady).
  using SourcesReadyFn = std::function<bool()>;

  // `runtime_cache` is the PLEG, whose last relist (at most a relist period old) is the runtime's
  // view: listing again would double the list calls the runtime serves. Every pointer outlives
  // the PodCleanups.
  PodCleanups(const pod::PodManager* pods, SourcesReadyFn sources_ready, const pleg::GenericPleg* runtime_cache,
              workers::PodWorkers* pod_workers, cm::ContainerManager* containers, TimerQueue* timers,
              Logger logger, absl::Duration period = kHousekeepingPeriod);

  // Runs HandlePodCleanups every period on the timer queue, from now on, until destroyed. Called once.
  void Start();

  // One pass; does nothing until the sources are ready and the PLEG has relisted once (without
  // both, a pod could look orphaned only because it was not reported yet).
  void HandlePodCleanups();

 private:
  // Runtime pods with a running container or a ready sandbox that neither a source nor a pod
  // worker knows get a kill through the pod workers (upstream: UpdatePod with SyncPodKill).
  // Returns the UIDs of every runtime pod still running.
  std::set<std::string> KillOrphanedRuntimePods(const pleg::RelistSnapshot& relist, const std::set<std::string>& desired);

  const pod::PodManager* pods_;
  SourcesReadyFn sources_ready_;
  const pleg::GenericPleg* runtime_cache_;
  workers::PodWorkers* pod_workers_;
  cm::ContainerManager* containers_;
  TimerQueue* timers_;
  Logger logger_;
  absl::Duration period_;
  TimerQueue::Handle housekeeping_;  // last: cancelled (and a pass in progress awaited) first
};

}  // namespace cubelet::kubelet
