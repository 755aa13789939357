#include "kubelet/pod_cleanups.h"

#include <memory>

#include "kuberuntime/kuberuntime_manager.h"

namespace cubelet::kubelet {

PodCleanups::PodCleanups(const pod::PodManager* pods, SourcesReadyFn sources_ready,
                         const pleg::GenericPleg* runtime_cache, workers::PodWorkers* pod_workers,
                         cm::ContainerManager* containers, TimerQueue* timers, Logger logger, absl::Duration period)
    : pods_(pods),
      sources_ready_(std::move(sources_ready)),
      runtime_cache_(runtime_cache),
      pod_workers_(pod_workers),
      containers_(containers),
      timers_(timers),
      logger_(std::move(logger)),
      period_(period) {}

void PodCleanups::Start() {
  housekeeping_ = timers_->Every(period_, [this] { HandlePodCleanups(); },
                                 {.initial_delay = absl::ZeroDuration(), .jitter_factor = 0, .name = "housekeeping"});
}

void PodCleanups::HandlePodCleanups() {
  if (!sources_ready_()) return;
  auto relist = runtime_cache_->LastRelist();
  if (relist == nullptr) return;
  std::set<std::string> desired;
  for (const auto& p : pods_->List()) desired.insert(p->metadata.uid);

  const std::set<std::string> running = KillOrphanedRuntimePods(*relist, desired);

  // Not yet: orphaned pod directories and volumes (upstream cleanupOrphanedPodDirs) — pods whose
  // UID is neither desired nor running keep their volume directories until then.
  // Not yet: mirror pods of static pods no source has any more (upstream deleteOrphanedMirrorPods),
  // once an API server client exists.

  // A cgroup goes only when no source, pod worker or running runtime pod has its UID: a pod
  // still being stopped keeps it until SyncTerminatedPod removes it.
  containers_->CleanupOrphanedPodCgroups([&](const std::string& uid) {
    return desired.contains(uid) || running.contains(uid) || pod_workers_->IsKnown(uid);
  });
}

std::set<std::string> PodCleanups::KillOrphanedRuntimePods(const pleg::RelistSnapshot& relist,
                                                           const std::set<std::string>& desired) {
  std::set<std::string> running;
  for (const auto& rp : kuberuntime::GroupPodStatuses(relist.sandboxes, relist.containers)) {
    bool is_running = false;
    for (const auto& c : rp.containers) is_running |= c.status.state != cri::ContainerState::kExited;
    for (const auto& s : rp.sandboxes) is_running |= s.state == cri::PodSandboxState::kReady;
    if (!is_running) continue;
    running.insert(rp.uid);
    if (desired.contains(rp.uid) || pod_workers_->IsKnown(rp.uid)) continue;
    auto orphan = std::make_shared<api::Pod>();
    orphan->metadata.uid = rp.uid;
    orphan->metadata.name = rp.name;
    orphan->metadata.namespace_ = rp.namespace_;
    logger_.Info("Stopping orphaned pod that no source knows", {{"pod", api::PodKey(*orphan)}, {"podUID", rp.uid}});
    pod_workers_->UpdatePod(orphan, workers::UpdateType::kKill);
  }
  return running;
}

}  // namespace cubelet::kubelet
