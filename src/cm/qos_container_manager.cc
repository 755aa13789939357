#include "cm/qos_container_manager.h"

#include "api/qos.h"
#include "cm/pod_resources.h"
#include "common/status_macros.h"

namespace cubelet::cm {
namespace {

cgroups::ResourceConfig Shares(int64_t shares) {
  cgroups::ResourceConfig c;
  c.cpu_shares = shares;
  return c;
}

}  // namespace

QosContainerManager::QosContainerManager(cgroups::CgroupManager* cgroups, CgroupLayout layout, Logger logger)
    : cgroups_(cgroups), layout_(std::move(layout)), logger_(std::move(logger)) {}

absl::Status QosContainerManager::Start() {
  if (!layout_.cgroups_per_qos) return absl::OkStatus();
  RETURN_IF_ERROR(cgroups_->Create(QosCgroup(layout_, api::kQosBurstable), {}));
  RETURN_IF_ERROR(cgroups_->Create(QosCgroup(layout_, api::kQosBestEffort), Shares(cgroups::kMinShares)));
  return absl::OkStatus();
}

absl::Status QosContainerManager::UpdateCgroups(const std::vector<std::shared_ptr<const api::Pod>>& active_pods) {
  if (!layout_.cgroups_per_qos) return absl::OkStatus();
  int64_t burstable_milli_cpu = 0;
  for (const auto& pod : active_pods) {
    if (api::GetPodQos(*pod) != api::kQosBurstable) continue;
    burstable_milli_cpu += api::MilliValueOf(PodRequests(*pod), "cpu");
  }
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(cgroups_->Update(QosCgroup(layout_, api::kQosBurstable),
                                   Shares(cgroups::MilliCpuToShares(burstable_milli_cpu))));
  RETURN_IF_ERROR(cgroups_->Update(QosCgroup(layout_, api::kQosBestEffort), Shares(cgroups::kMinShares)));
  logger_.VInfo(4, "Updated QoS cgroups", {{"burstableMilliCPU", burstable_milli_cpu}});
  return absl::OkStatus();
}

}  // namespace cubelet::cm
