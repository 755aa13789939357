// Owns: amounts of node resources as the scheduler counts them (upstream framework.Resource):
// milli-CPU, memory and ephemeral-storage bytes, the pod count, and scalar resources
// (hugepages-<size>, extended resources such as example.com/gpu) in their integer units.
// Does not own: parsing a pod's requests (pod_info.h) or a node's allocatable (node_info.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "json/value.h"

namespace cubelet::scheduler {

inline constexpr std::string_view kResourceCpu = "cpu";
inline constexpr std::string_view kResourceMemory = "memory";
inline constexpr std::string_view kResourceEphemeralStorage = "ephemeral-storage";
inline constexpr std::string_view kResourcePods = "pods";

// Requests a pod without any are counted with when scoring (upstream's
// DefaultMilliCPURequest and DefaultMemoryRequest), so such pods still spread.
inline constexpr int64_t kDefaultMilliCpuRequest = 100;
inline constexpr int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;

struct Resource {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  int64_t allowed_pod_number = 0;  // nodes only: allocatable "pods"
  std::map<std::string, int64_t, std::less<>> scalar;  // hugepages-*, extended resources

  void Add(const Resource& other);
  void Subtract(const Resource& other);
  // Each amount becomes the larger of the two (upstream's SetMaxResource).
  void SetMax(const Resource& other);
  // The amount of a named resource ("cpu" in milli-CPU, "memory" in bytes, ...); 0 when absent.
  int64_t Get(std::string_view name) const;
  bool operator==(const Resource&) const = default;

  // A ResourceList object ({"cpu":"500m","memory":"1Gi",...}); an error names `field` and the
  // resource whose quantity does not parse. A null or missing list is zero.
  static absl::StatusOr<Resource> FromResourceList(const json::Value* list, std::string_view field);
};

}  // namespace cubelet::scheduler
