#include "kubelet/container_gc.h"

#include <set>
#include <string>

namespace cubelet::kubelet {

ContainerGC::ContainerGC(kuberuntime::KubeRuntimeManager* runtime, const pod::PodManager* pods,
                         SourcesReadyFn sources_ready, TimerQueue* timers, Logger logger, absl::Duration period)
    : runtime_(runtime),
      pods_(pods),
      sources_ready_(std::move(sources_ready)),
      timers_(timers),
      logger_(std::move(logger)),
      period_(period) {}

void ContainerGC::Start() {
  gc_ = timers_->Every(period_, [this] { GarbageCollect(); },
                       {.initial_delay = period_, .jitter_factor = 0, .name = "container garbage collection"});
}

void ContainerGC::GarbageCollect() {
  if (!sources_ready_()) {
    logger_.VInfo(4, "Container garbage collection waits for every pod source");
    return;
  }
  std::set<std::string> active;
  for (const auto& p : pods_->List()) active.insert(p->metadata.uid);
  runtime_->GarbageCollect(active);
}

}  // namespace cubelet::kubelet
