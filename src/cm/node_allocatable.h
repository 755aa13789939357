// Owns: the node's capacity and what of it pods may use (upstream cm/node_container_manager_linux.go):
// allocatable = capacity - kubeReserved - systemReserved, applied to the kubepods cgroup when
// enforceNodeAllocatable has "pods".
// Does not own: eviction thresholds (subtracted only from the reported allocatable).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "cgroups/resource_config.h"

namespace cubelet::cm {

// cpu, memory, pid and hugepages-<size>, as the host has them.
api::ResourceList HostCapacity();

// capacity minus both reservations, floored at zero. A reservation that is no quantity is an
// error naming it (`kubeReserved.memory: "12 apples" is not a quantity`).
absl::StatusOr<api::ResourceList> NodeAllocatable(const api::ResourceList& capacity,
                                                  const std::map<std::string, std::string>& kube_reserved,
                                                  const std::map<std::string, std::string>& system_reserved);

// The kubepods cgroup's values: cpu shares, memory and pids limits, huge page limits.
cgroups::ResourceConfig NodeAllocatableCgroupConfig(const api::ResourceList& allocatable);

}  // namespace cubelet::cm
