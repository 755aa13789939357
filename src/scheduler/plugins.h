// Owns: the in-tree plugins cubelet-server's scheduler knows, by upstream's names, and how each
// is made from its pluginConfig args (the JSON object of KubeSchedulerConfiguration's
// `pluginConfig[].args`, upstream field names; unknown fields and bad values are errors naming
// the field). `args` is nullptr when the configuration gives none: upstream's defaults.
// Does not own: which plugins a profile enables and their weights (profile.h).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "scheduler/framework.h"

namespace cubelet::scheduler {

using PluginFactory = absl::StatusOr<std::unique_ptr<Plugin>> (*)(const json::Value* args);

struct PluginEntry {
  std::string_view name;
  PluginFactory factory;
};

// Every known plugin, in upstream's default order.
const std::vector<PluginEntry>& InTreePlugins();

// node_unschedulable.cc, node_name.cc, taint_toleration.cc, node_affinity.cc, node_ports.cc
absl::StatusOr<std::unique_ptr<Plugin>> NewSchedulingGates(const json::Value* args);
absl::StatusOr<std::unique_ptr<Plugin>> NewNodeUnschedulable(const json::Value* args);
absl::StatusOr<std::unique_ptr<Plugin>> NewNodeName(const json::Value* args);
absl::StatusOr<std::unique_ptr<Plugin>> NewTaintToleration(const json::Value* args);
// args: NodeAffinityArgs {addedAffinity}
absl::StatusOr<std::unique_ptr<Plugin>> NewNodeAffinity(const json::Value* args);
absl::StatusOr<std::unique_ptr<Plugin>> NewNodePorts(const json::Value* args);
// args: NodeResourcesFitArgs {ignoredResources, ignoredResourceGroups, scoringStrategy {type:
// LeastAllocated | MostAllocated | RequestedToCapacityRatio, resources [{name, weight}],
// requestedToCapacityRatio {shape}}}
absl::StatusOr<std::unique_ptr<Plugin>> NewNodeResourcesFit(const json::Value* args);
// args: NodeResourcesBalancedAllocationArgs {resources [{name, weight}]}
absl::StatusOr<std::unique_ptr<Plugin>> NewNodeResourcesBalancedAllocation(const json::Value* args);
absl::StatusOr<std::unique_ptr<Plugin>> NewImageLocality(const json::Value* args);
// args: PodTopologySpreadArgs {defaultConstraints, defaultingType: System | List}
absl::StatusOr<std::unique_ptr<Plugin>> NewPodTopologySpread(const json::Value* args);
// args: InterPodAffinityArgs {hardPodAffinityWeight, ignorePreferredTermsOfExistingPods}
absl::StatusOr<std::unique_ptr<Plugin>> NewInterPodAffinity(const json::Value* args);

}  // namespace cubelet::scheduler
