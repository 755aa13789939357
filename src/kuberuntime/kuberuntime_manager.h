// Owns: KubeRuntimeManager, the pod-level view of the CRI runtime (upstream's
// kuberuntime.kubeGenericRuntimeManager): read a pod's runtime status, SyncPod in upstream's
// order (kill, sandbox, init containers one at a time, containers), kill a pod within its grace
// period, and garbage-collect dead containers and sandboxes.
// Does not own: when to sync (pod workers) or the API status (status/).
//
// Thread-safe for different pods; callers run at most one operation per pod at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "common/clock.h"
#include "common/logger.h"
#include "cri/runtime_service.h"
#include "kuberuntime/backoff.h"
#include "kuberuntime/image_manager.h"
#include "kuberuntime/pod_actions.h"
#include "kuberuntime/pod_resize.h"
#include "kuberuntime/reason_cache.h"
#include "kuberuntime/runtime_options.h"
#include "kuberuntime/runtime_pod_status.h"
#include "volumes/volume_manager.h"

namespace cubelet::kuberuntime {

struct PodSyncResult {
  absl::Status error;  // the first failure, for the pod worker's retry
};

class KubeRuntimeManager {
 public:
  KubeRuntimeManager(cri::RuntimeService* runtime, cri::ImageService* images, volumes::VolumeManager* volumes,
                     RuntimeOptions options, Logger logger, Clock* clock);

  // What the runtime holds for the pod with `uid`.
  absl::StatusOr<RuntimePodStatus> GetPodStatus(const std::string& uid, const std::string& name,
                                                const std::string& namespace_);

  PodSyncResult SyncPod(const api::Pod& pod, const RuntimePodStatus& status, const ProbeKills& probe_kills = {});

  // Stops every running container (in parallel, within the grace period, at least 2 s) and then
  // every sandbox of the pod. `pod` may be null for a pod no source knows any more; the grace
  // period then comes from the containers' annotations.
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

  // Applies a pod's cgroup values again (cm's job); called around in-place resizes. Set once,
  // before the first SyncPod.
  void SetPodCgroupUpdater(std::function<absl::Status(const api::Pod&)> update) {
    pod_cgroup_updater_ = std::move(update);
  }

 private:
  // Starts one container; returns the StartError reason on failure (and records it).
  absl::Status StartContainer(const api::Pod& pod, const api::Container& container, bool is_init,
                              const std::string& sandbox_id, const cri::PodSandboxConfig& sandbox_config,
                              const RuntimePodStatus& status, const std::vector<std::string>& pod_ips,
                              const std::map<std::string, std::string>& volumes);
  // Runs the preStop hook of `spec` (when given) within the grace period, then StopContainer
  // with what is left of it (at least 2 s).
  absl::Status KillContainer(const std::string& container_id, const std::string& name, int64_t grace_seconds,
                             const std::string& reason, const api::Container* spec = nullptr,
                             const std::vector<std::string>& pod_ips = {});
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
  RuntimeOptions options_;
  Logger logger_;
  Clock* clock_;
  Backoff crash_backoff_;
  Backoff image_backoff_;
  ImageManager image_manager_;
  ReasonCache reasons_;
  std::function<absl::Status(const api::Pod&)> pod_cgroup_updater_;
};

// The runtime's pods from list results (what ListPodStatuses lists; housekeeping passes the
// PLEG's last relist), newest sandbox and container first; entries without our labels are left out.
std::vector<RuntimePodStatus> GroupPodStatuses(const std::vector<cri::PodSandbox>& sandboxes,
                                               const std::vector<cri::Container>& containers);

// upstream's minimumGracePeriodInSeconds.
inline constexpr int64_t kMinimumGracePeriodSeconds = 2;

}  // namespace cubelet::kuberuntime
