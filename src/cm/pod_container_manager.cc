#include "cm/pod_container_manager.h"

#include "absl/strings/match.h"
#include "api/qos.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::cm {

PodContainerManager::PodContainerManager(cgroups::CgroupManager* cgroups, CgroupLayout layout,
                                         PodCgroupOptions options, Logger logger)
    : cgroups_(cgroups), layout_(std::move(layout)), options_(options), logger_(std::move(logger)) {}

bool PodContainerManager::Exists(const api::Pod& pod) const {
  auto name = PodCgroup(layout_, pod);
  if (!name.ok()) return false;  // EnsureExists says why
  return !*name || cgroups_->Exists(**name);
}

absl::Status PodContainerManager::EnsureExists(const api::Pod& pod) {
  auto name = PodCgroup(layout_, pod);
  if (!name.ok()) return Annotate(name.status(), StrCat("name the cgroup of pod \"", api::PodKey(pod), "\""));
  if (!*name) return absl::OkStatus();
  absl::Status created = cgroups_->Create(**name, ResourceConfigForPod(pod, options_));
  if (!created.ok()) {
    return Annotate(created, StrCat("create the cgroup of pod \"", api::PodKey(pod), "\""));
  }
  logger_.VInfo(3, "Pod cgroup ready", {{"pod", api::PodKey(pod)}, {"cgroup", cgroups_->Name(**name)}});
  return absl::OkStatus();
}

absl::Status PodContainerManager::Destroy(const cgroups::CgroupName& name) {
  auto pids = cgroups_->Pids(name);
  if (pids.ok() && !pids->empty()) {
    logger_.Info("Killing processes left in a pod cgroup",
                 {{"cgroup", cgroups_->Name(name)}, {"count", static_cast<int64_t>(pids->size())}});
    // Through the cgroup (cgroup.kill, or freezer rounds on v1), not by the pids just read: one
    // may have exited and its pid gone to an unrelated process by the time it is signalled.
    if (absl::Status killed = cgroups_->KillAll(name); !killed.ok()) {
      return Annotate(killed, StrCat("destroy pod cgroup ", cgroups_->Name(name)));
    }
  }
  return cgroups_->Destroy(name);
}

absl::StatusOr<std::map<std::string, cgroups::CgroupName>> PodContainerManager::GetAllPodsFromCgroups() const {
  std::map<std::string, cgroups::CgroupName> pods;
  if (!layout_.cgroups_per_qos) return pods;
  for (const char* qos : {api::kQosGuaranteed, api::kQosBurstable, api::kQosBestEffort}) {
    ASSIGN_OR_RETURN(auto children, cgroups_->Children(QosCgroup(layout_, qos)));
    for (auto& child : children) {
      const std::string& leaf = child.parts.back();
      if (!absl::StartsWith(leaf, kPodCgroupPrefix) || leaf.size() <= 3) continue;
      pods.emplace(leaf.substr(3), std::move(child));
    }
  }
  return pods;
}

}  // namespace cubelet::cm
