// Owns: a ResourceList kept as exact quantities (upstream v1.ResourceList) and the list
// arithmetic that a pod's effective requests need (sum, per-name maximum, defaults for names a
// container leaves out) before the result becomes a Resource in integer units. Summing exact
// quantities first and rounding once matches upstream, which rounds only at the end.
// Does not own: which containers are summed how (pod_info.cc), Resource itself (resource.h).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "api/quantity.h"
#include "json/value.h"
#include "scheduler/resource.h"

namespace cubelet::scheduler {

using ResourceList = std::map<std::string, api::Quantity, std::less<>>;

// A ResourceList object ({"cpu":"500m"}); quantities may be strings or JSON numbers. A null or
// missing list is empty. Errors name `field` and the resource ("<field>.cpu: quantities must
// match ...").
absl::StatusOr<ResourceList> ParseResourceList(const json::Value* list, std::string_view field);

// Upstream's addResourceList: `to[name] += from[name]` for every name in `from`.
void AddResourceList(ResourceList& to, const ResourceList& from);
// Upstream's maxResourceList: `to[name] = max(to[name], from[name])` for every name in `from`.
void MaxResourceList(ResourceList& to, const ResourceList& from);
// Upstream's applyNonMissing: `list` with `defaults` filled in for names it does not have.
ResourceList WithDefaults(const ResourceList& list, const ResourceList& defaults);

// cpu in milli-CPU, memory / ephemeral-storage in bytes, pods as the pod count and every other
// name (hugepages-*, extended resources) into `scalar` by Value() (rounded up).
Resource ToResource(const ResourceList& list);

}  // namespace cubelet::scheduler
