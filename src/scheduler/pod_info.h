// Owns: a pod as the scheduler reads it, parsed once from its JSON when the pod enters the cache
// or the queue (upstream framework.PodInfo with its pre-computed affinity terms): identity,
// priority, the effective resource requests, node selection (nodeSelector, node affinity),
// tolerations, pod (anti-)affinity terms, topology spread constraints, host ports, images and
// scheduling gates.
// Does not own: defaults and validation (the API server applied them at admission), how
// plugins use these fields (the plugin files).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "json/value.h"
#include "scheduler/resource.h"
#include "selectors/selectors.h"

namespace cubelet::scheduler {

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute
  std::optional<absl::Time> time_added;
  bool operator==(const Taint&) const = default;
};

struct Toleration {
  std::string key;       // empty with Exists: every key
  std::string op;        // "Equal" (the default) or "Exists"
  std::string value;
  std::string effect;    // empty: every effect
  std::optional<int64_t> toleration_seconds;
  // Upstream's Toleration.ToleratesTaint.
  bool Tolerates(const Taint& taint) const;
};

// Whether some toleration tolerates `taint`.
bool Tolerated(const std::vector<Toleration>& tolerations, const Taint& taint);

struct NodeSelectorRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<std::string> values;
};

// Expressions and fields are ANDed; a term without either matches nothing (upstream).
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;  // on node labels
  std::vector<NodeSelectorRequirement> match_fields;       // only metadata.name
  bool Matches(const selectors::Labels& node_labels, std::string_view node_name) const;
};

struct PreferredSchedulingTerm {
  int32_t weight = 0;
  NodeSelectorTerm preference;
};

// A pod (anti-)affinity term with its namespaces resolved as far as the pod alone allows.
struct AffinityTerm {
  selectors::LabelSelector selector;  // labelSelector; a missing one matches no pod
  bool selector_set = false;
  std::set<std::string, std::less<>> namespaces;  // namespaces, or the pod's own when neither is given
  // namespaceSelector; {} selects every namespace, a missing one none beyond `namespaces`.
  std::optional<selectors::LabelSelector> namespace_selector;
  std::string topology_key;
  // matchLabelKeys / mismatchLabelKeys are merged into `selector` at parse time, as upstream's
  // admission does.
};

struct WeightedAffinityTerm {
  int32_t weight = 0;
  AffinityTerm term;
};

struct TopologySpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  std::string when_unsatisfiable;  // DoNotSchedule or ScheduleAnyway
  selectors::LabelSelector selector;  // labelSelector with matchLabelKeys merged in
  bool selector_set = false;
  std::optional<int32_t> min_domains;
  std::string node_affinity_policy = "Honor";  // Honor or Ignore
  std::string node_taints_policy = "Ignore";   // Honor or Ignore
};

struct HostPort {
  std::string host_ip;   // "" means 0.0.0.0
  std::string protocol;  // TCP (default), UDP, SCTP
  int32_t port = 0;
};

struct PodInfo {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string node_name;
  std::string scheduler_name;  // "default-scheduler" when empty
  std::string nominated_node_name;
  std::string preemption_policy = "PreemptLowerPriority";  // or Never
  int32_t priority = 0;
  absl::Time creation_time = absl::InfinitePast();
  bool terminating = false;  // deletionTimestamp set
  std::string phase;
  selectors::Labels labels;

  // Effective requests (upstream's computePodResourceRequest): the larger of the app
  // containers' sum and each init container's request, restartable init containers
  // (sidecars) counted as running from their start on, plus overhead.
  Resource requests;
  // The same with kDefaultMilliCpuRequest / kDefaultMemoryRequest for containers that request
  // no cpu or memory: what scoring counts.
  Resource non_zero_requests;

  std::map<std::string, std::string, std::less<>> node_selector;
  std::vector<NodeSelectorTerm> required_node_affinity;  // ORed; empty: none
  bool has_required_node_affinity = false;
  std::vector<PreferredSchedulingTerm> preferred_node_affinity;
  std::vector<Toleration> tolerations;
  std::vector<AffinityTerm> required_affinity;
  std::vector<AffinityTerm> required_anti_affinity;
  std::vector<WeightedAffinityTerm> preferred_affinity;
  std::vector<WeightedAffinityTerm> preferred_anti_affinity;
  std::vector<TopologySpreadConstraint> topology_spread_constraints;
  std::vector<HostPort> host_ports;
  std::vector<std::string> images;  // containers' and init containers' images
  std::vector<std::string> scheduling_gates;

  // The pod as stored, for writes (binding preconditions) and messages.
  std::shared_ptr<const json::Value> object;

  std::string Key() const { return namespace_ + "/" + name; }
  // A pod's requiredDuringScheduling node selection: nodeSelector and required node affinity.
  bool MatchesNodeSelection(const selectors::Labels& node_labels, std::string_view node_name) const;

  // InvalidArgument naming the field for what the scheduler cannot read (a quantity, a selector).
  static absl::StatusOr<std::shared_ptr<const PodInfo>> FromObject(std::shared_ptr<const json::Value> pod);
};

using PodInfoPtr = std::shared_ptr<const PodInfo>;

}  // namespace cubelet::scheduler
