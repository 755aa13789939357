#include "cm/container_manager.h"

#include "cm/node_allocatable.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::cm {

ContainerManager::ContainerManager(std::unique_ptr<cgroups::CgroupManager> cgroups, ContainerManagerOptions options,
                                   ActivePodsFunc active_pods, Logger logger)
    : cgroups_(std::move(cgroups)),
      options_(std::move(options)),
      active_pods_(std::move(active_pods)),
      logger_(std::move(logger)),
      qos_(cgroups_.get(), options_.layout, logger_),
      pods_(cgroups_.get(), options_.layout, options_.pod, logger_) {}

absl::Status ContainerManager::Start() {
  if (!options_.layout.cgroups_per_qos) return absl::OkStatus();
  const cgroups::CgroupName kubepods = NodeAllocatableCgroup(options_.layout);
  const api::ResourceList& limits = options_.enforce_pods_allocatable ? options_.allocatable : options_.capacity;
  const cgroups::ResourceConfig config = NodeAllocatableCgroupConfig(limits);
  RETURN_IF_ERROR(Annotate(cgroups_->Create(kubepods, config), "node allocatable cgroup"));
  RETURN_IF_ERROR(Annotate(qos_.Start(), "QoS cgroups"));
  logger_.Info("Created the pods' cgroup hierarchy",
               {{"cgroup", cgroups_->Name(kubepods)},
                {"cgroupVersion", cgroups_->Unified() ? "v2" : "v1"},
                {"cpuShares", config.cpu_shares.value_or(0)},
                {"memoryLimit", config.memory_limit_bytes.value_or(0)},
                {"pidsLimit", config.pids_limit.value_or(0)}});
  return absl::OkStatus();
}

void ContainerManager::UpdateQosCgroups() {
  // A stale QoS weight is not worth failing a pod for; the next pod change retries.
  if (absl::Status s = qos_.UpdateCgroups(active_pods_()); !s.ok()) {
    logger_.Warning("Failed to update QoS cgroups", {{"err", s}});
  }
}

absl::Status ContainerManager::EnsurePodCgroup(const api::Pod& pod) {
  if (pods_.Exists(pod)) return absl::OkStatus();
  return ResizePodCgroup(pod);
}

absl::Status ContainerManager::ResizePodCgroup(const api::Pod& pod) {
  UpdateQosCgroups();
  return pods_.EnsureExists(pod);
}

absl::Status ContainerManager::RemovePodCgroup(const api::Pod& pod) {
  auto name = PodCgroup(options_.layout, pod);
  if (!name.ok()) return Annotate(name.status(), StrCat("name the cgroup of pod \"", api::PodKey(pod), "\""));
  if (!*name) return absl::OkStatus();
  RETURN_IF_ERROR(pods_.Destroy(**name));
  UpdateQosCgroups();
  return absl::OkStatus();
}

void ContainerManager::CleanupOrphanedPodCgroups(const std::function<bool(const std::string&)>& possibly_running) {
  auto found = pods_.GetAllPodsFromCgroups();
  if (!found.ok()) {
    logger_.Warning("Cannot list pod cgroups", {{"err", found.status()}});
    return;
  }
  for (const auto& [uid, name] : *found) {
    if (possibly_running(uid)) continue;
    absl::Status s = pods_.Destroy(name);
    if (s.ok()) {
      logger_.Info("Removed orphaned pod cgroup", {{"podUID", uid}, {"cgroup", cgroups_->Name(name)}});
    } else {
      logger_.VInfo(2, "Orphaned pod cgroup not removed yet", {{"podUID", uid}, {"err", s}});
    }
  }
}

}  // namespace cubelet::cm
