// Owns: QosContainerManager (upstream cm/qos_container_manager_linux.go): the burstable and
// besteffort cgroups below kubepods and their cpu shares.
// Does not own: kubepods itself (ContainerManager) or pod cgroups (PodContainerManager).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "api/types.h"
#include "cgroups/cgroup_manager.h"
#include "cm/cgroup_layout.h"
#include "common/logger.h"

namespace cubelet::cm {

class QosContainerManager {
 public:
  QosContainerManager(cgroups::CgroupManager* cgroups, CgroupLayout layout, Logger logger);

  // Creates burstable and besteffort (2 cpu shares) below kubepods.
  absl::Status Start();
  // Burstable gets MilliCpuToShares(the sum of the cpu requests of the active Burstable pods),
  // so that together they weigh what they asked for against Guaranteed pods; BestEffort stays
  // at 2. Thread-safe: pod workers call it concurrently.
  absl::Status UpdateCgroups(const std::vector<std::shared_ptr<const api::Pod>>& active_pods);

 private:
  cgroups::CgroupManager* cgroups_;
  CgroupLayout layout_;
  Logger logger_;
  std::mutex mu_;  // serialises the writes of UpdateCgroups
};

}  // namespace cubelet::cm
