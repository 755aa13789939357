// Owns: PodContainerManager (upstream cm/pod_container_manager_linux.go): each pod's cgroup,
// created with its limits before the sandbox, removed (with whatever still runs in it) after.
// Does not own: QoS cgroups or the containers' own cgroups (the runtime's).
#pragma once

#include <map>
#include <string>

#include "api/types.h"
#include "cgroups/cgroup_manager.h"
#include "cm/cgroup_layout.h"
#include "cm/pod_resources.h"
#include "common/logger.h"

namespace cubelet::cm {

class PodContainerManager {
 public:
  PodContainerManager(cgroups::CgroupManager* cgroups, CgroupLayout layout, PodCgroupOptions options, Logger logger);

  // False too for a pod whose UID cannot name a cgroup (EnsureExists says why).
  bool Exists(const api::Pod& pod) const;
  // Creates the pod's cgroup with ResourceConfigForPod (or re-applies it).
  absl::Status EnsureExists(const api::Pod& pod);
  // SIGKILLs any process left in the cgroup through the cgroup (CgroupManager::KillAll), then
  // removes it. While killed processes are still exiting the kernel refuses (EBUSY); the caller
  // retries on its next pass.
  absl::Status Destroy(const cgroups::CgroupName& name);
  // Pod UID -> cgroup for every pod<uid> cgroup under kubepods, burstable and besteffort.
  absl::StatusOr<std::map<std::string, cgroups::CgroupName>> GetAllPodsFromCgroups() const;

 private:
  cgroups::CgroupManager* cgroups_;
  CgroupLayout layout_;
  PodCgroupOptions options_;
  Logger logger_;
};

}  // namespace cubelet::cm
