// Owns: ContainerGC, the cadence of container garbage collection (upstream's realContainerGC in
// pkg/kubelet/container/container_gc.go, started by Kubelet.StartGarbageCollection): every GC
// period on the timer queue, once every pod source has delivered its pods, dead containers and
// sandboxes beyond what the runtime manager keeps are removed, and pods no source has any more
// lose all that is left of them.
// Does not own: what is removed (KubeRuntimeManager::GarbageCollect), image garbage collection.
#pragma once

#include <functional>

#include "absl/time/time.h"
#include "common/logger.h"
#include "common/timer_queue.h"
#include "kuberuntime/kuberuntime_manager.h"
#include "pod/pod_manager.h"

namespace cubelet::kubelet {

// Upstream collects every minute (ContainerGCPeriod); cubelet has always collected every 30 s.
inline constexpr absl::Duration kContainerGCPeriod = absl::Seconds(30);

class ContainerGC {
 public:
  // True once every pod source has delivered its first full set (upstream's sourcesReady).
  using SourcesReadyFn = std::function<bool()>;

  // Every pointer outlives the ContainerGC.
  ContainerGC(kuberuntime::KubeRuntimeManager* runtime, const pod::PodManager* pods, SourcesReadyFn sources_ready,
              TimerQueue* timers, Logger logger, absl::Duration period = kContainerGCPeriod);

  // Collects one period from now and every period after, on the timer queue, until destroyed.
  // Called once.
  void Start();

  // One collection; does nothing until the sources are ready, since before that a pod no source
  // has reported yet would lose its containers' logs and last states.
  void GarbageCollect();

 private:
  kuberuntime::KubeRuntimeManager* runtime_;
  const pod::PodManager* pods_;
  SourcesReadyFn sources_ready_;
  TimerQueue* timers_;
  Logger logger_;
  absl::Duration period_;
  TimerQueue::Handle gc_;  // last: cancelled (and a collection in progress awaited) first
};

}  // namespace cubelet::kubelet
