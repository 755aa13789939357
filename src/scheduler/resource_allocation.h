// Owns: what NodeResourcesFit's scoring strategies and NodeResourcesBalancedAllocation share
// (upstream noderesources/resource_allocation.go): the pod's request per configured resource and
// the node's (allocatable, requested-including-the-pod) pair per resource, with upstream's rule
// that a resource the node does not have, or an extended resource the pod does not request, is
// left out of the score.
// Does not own: the scoring formulas (node_resources_fit.cc, node_resources_balanced_allocation.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "scheduler/framework.h"
#include "scheduler/plugin_args.h"

namespace cubelet::scheduler {

// The pod's request for each of `resources`, in the same order (cpu in milli-CPU). With
// `use_requested` the pod's actual requests; otherwise those with the 100m / 200Mi defaults for
// containers without cpu / memory requests (upstream's useRequested=false).
std::vector<int64_t> PodRequestList(const PodInfo& pod, const std::vector<args::ResourceSpec>& resources,
                                    bool use_requested);

struct AllocationVectors {
  std::vector<int64_t> requested;    // the node's requests plus the pod's, per resource
  std::vector<int64_t> allocatable;  // 0 for a resource left out of the score
};

// Upstream's resourceAllocationScorer.score before the scorer runs. With `use_requested` the
// node's actual requests count for cpu and memory, otherwise its non-zero requests.
AllocationVectors NodeAllocation(const NodeInfo& node, const std::vector<args::ResourceSpec>& resources,
                                 const std::vector<int64_t>& pod_requests, bool use_requested);

}  // namespace cubelet::scheduler
