// Owns: a pod's effective requests and limits (upstream component-helpers resource.PodRequests /
// PodLimits) and the cgroup values its pod cgroup gets (upstream cm.ResourceConfigForPod).
// Does not own: writing them (cgroups/) or per-container CRI resources (kuberuntime).
#pragma once

#include <cstdint>

#include "api/types.h"
#include "cgroups/resource_config.h"

namespace cubelet::cm {

// Regular containers and sidecars (restartable init containers) add up; each other init
// container runs alone beside the sidecars started before it, so the pod needs the larger of
// the two, resource by resource.
api::ResourceList PodRequests(const api::Pod& pod);
api::ResourceList PodLimits(const api::Pod& pod);

// Huge page limits by page size, from `hugepages-<size>` entries of `resources`.
std::map<int64_t, int64_t> HugePageLimits(const api::ResourceList& resources);

struct PodCgroupOptions {
  bool enforce_cpu_limits = true;         // cpuCFSQuota
  int64_t cpu_period_us = cgroups::kQuotaPeriodUs;
  int64_t pod_pids_limit = -1;            // podPidsLimit; applied only when > 0
};

// Guaranteed: shares, quota, period and memory limit. Burstable: shares; quota and period only
// when every container declares a cpu limit, the memory limit only when every container
// declares one. BestEffort: 2 shares. Huge page limits from requests; pids from podPidsLimit.
cgroups::ResourceConfig ResourceConfigForPod(const api::Pod& pod, const PodCgroupOptions& options);

}  // namespace cubelet::cm
