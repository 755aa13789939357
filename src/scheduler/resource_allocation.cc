#include "scheduler/resource_allocation.h"

namespace cubelet::scheduler {
namespace {

// cpu, memory and ephemeral-storage are always scored; every other name only when the pod asks
// for it (upstream's IsScalarResourceName check).
bool IsNative(std::string_view name) {
  return name == kResourceCpu || name == kResourceMemory || name == kResourceEphemeralStorage;
}

}  // namespace

std::vector<int64_t> PodRequestList(const PodInfo& pod, const std::vector<args::ResourceSpec>& resources,
                                    bool use_requested) {
  const Resource& requests = use_requested ? pod.requests : pod.non_zero_requests;
  std::vector<int64_t> out;
  out.reserve(resources.size());
  for (const args::ResourceSpec& r : resources) {
    // "pods" is not something a pod requests.
    out.push_back(r.name == kResourcePods ? 0 : requests.Get(r.name));
  }
  return out;
}

AllocationVectors NodeAllocation(const NodeInfo& node, const std::vector<args::ResourceSpec>& resources,
                                 const std::vector<int64_t>& pod_requests, bool use_requested) {
  AllocationVectors out;
  out.requested.assign(resources.size(), 0);
  out.allocatable.assign(resources.size(), 0);
  const Resource& allocatable = node.node().allocatable;
  const Resource& cpu_memory_requested = use_requested ? node.requested() : node.non_zero_requested();
  for (size_t i = 0; i < resources.size(); ++i) {
    const std::string& name = resources[i].name;
    const int64_t pod_request = i < pod_requests.size() ? pod_requests[i] : 0;
    int64_t alloc = 0, req = 0;
    if (name == kResourceCpu) {
      alloc = allocatable.milli_cpu;
      req = cpu_memory_requested.milli_cpu + pod_request;
    } else if (name == kResourceMemory) {
      alloc = allocatable.memory;
      req = cpu_memory_requested.memory + pod_request;
    } else if (name == kResourceEphemeralStorage) {
      alloc = allocatable.ephemeral_storage;
      req = node.requested().ephemeral_storage + pod_request;
    } else if (pod_request != 0 || IsNative(name)) {
      auto it = allocatable.scalar.find(name);
      if (it != allocatable.scalar.end()) {
        alloc = it->second;
        auto used = node.requested().scalar.find(name);
        req = (used == node.requested().scalar.end() ? 0 : used->second) + pod_request;
      }
    }
    if (alloc == 0) continue;
    out.allocatable[i] = alloc;
    out.requested[i] = req;
  }
  return out;
}

}  // namespace cubelet::scheduler
