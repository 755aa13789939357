// PodInfo: parsing a pod once into what the plugins read, the toleration and node-selector
// matching rules (upstream's v1 helpers and component-helpers nodeaffinity), and the effective
// requests (upstream's resource.PodRequests).
#include "scheduler/pod_info.h"

#include <algorithm>

#include "absl/time/time.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/resource_list.h"
#include "scheduler/spec_fields.h"
#include "selectors/requirement.h"

namespace cubelet::scheduler {
namespace {

using spec::FieldPath;
using spec::IndexPath;

// ---- node selector matching ----

bool Contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// One matchExpressions entry against node labels, as upstream's labels.Requirement.Matches does
// (a requirement upstream would not construct matches nothing).
bool LabelRequirementMatches(const NodeSelectorRequirement& r, const selectors::Labels& labels) {
  auto it = labels.find(r.key);
  const bool has = it != labels.end();
  if (r.op == "In") return !r.values.empty() && has && Contains(r.values, it->second);
  if (r.op == "NotIn") return !r.values.empty() && (!has || !Contains(r.values, it->second));
  if (r.op == "Exists") return r.values.empty() && has;
  if (r.op == "DoesNotExist") return r.values.empty() && !has;
  if (r.op == "Gt" || r.op == "Lt") {
    int64_t want = 0, have = 0;
    if (r.values.size() != 1 || !selectors::ParseInt64(r.values[0], &want)) return false;
    if (!has || !selectors::ParseInt64(it->second, &have)) return false;
    return r.op == "Gt" ? have > want : have < want;
  }
  return false;
}

// One matchFields entry: nodes have the single field metadata.name; any other key reads "".
bool FieldRequirementMatches(const NodeSelectorRequirement& r, std::string_view node_name) {
  if (r.values.size() != 1) return false;
  const std::string_view value = r.key == "metadata.name" ? node_name : std::string_view();
  if (r.op == "In") return value == r.values[0];
  if (r.op == "NotIn") return value != r.values[0];
  return false;
}

// ---- containers and requests ----

struct ContainerSpec {
  std::string image;
  ResourceList requests;
  bool restartable = false;  // an init container with restartPolicy Always (a sidecar)
  std::vector<HostPort> host_ports;
};

absl::StatusOr<std::vector<ContainerSpec>> ParseContainers(const json::Value& pod_spec, std::string_view key) {
  std::vector<ContainerSpec> out;
  ASSIGN_OR_RETURN(std::vector<const json::Value*> items, spec::ObjectListMember(pod_spec, key, "spec"));
  const std::string list_path = FieldPath("spec", key);
  for (size_t i = 0; i < items.size(); ++i) {
    const json::Value& c = *items[i];
    const std::string path = IndexPath(list_path, i);
    ContainerSpec container;
    ASSIGN_OR_RETURN(container.image, spec::StringMember(c, "image", path));
    ASSIGN_OR_RETURN(const json::Value* resources, spec::Member(c, "resources", json::Type::kObject, path));
    if (resources != nullptr) {
      ASSIGN_OR_RETURN(container.requests,
                       ParseResourceList(resources->Find("requests"), FieldPath(path, "resources.requests")));
    }
    ASSIGN_OR_RETURN(std::string restart_policy, spec::StringMember(c, "restartPolicy", path));
    container.restartable = restart_policy == "Always";
    ASSIGN_OR_RETURN(std::vector<const json::Value*> ports, spec::ObjectListMember(c, "ports", path));
    for (size_t j = 0; j < ports.size(); ++j) {
      const std::string port_path = IndexPath(FieldPath(path, "ports"), j);
      ASSIGN_OR_RETURN(std::optional<int64_t> host_port, spec::IntMember(*ports[j], "hostPort", port_path));
      if (!host_port.has_value() || *host_port <= 0) continue;
      HostPort hp;
      hp.port = static_cast<int32_t>(*host_port);
      ASSIGN_OR_RETURN(hp.host_ip, spec::StringMember(*ports[j], "hostIP", port_path));
      if (hp.host_ip == "0.0.0.0") hp.host_ip.clear();
      ASSIGN_OR_RETURN(hp.protocol, spec::StringMember(*ports[j], "protocol", port_path));
      if (hp.protocol.empty()) hp.protocol = "TCP";
      container.host_ports.push_back(std::move(hp));
    }
    out.push_back(std::move(container));
  }
  return out;
}

// Upstream's resource.PodRequests: app containers summed; each init container counted with the
// sidecars started before it, and the larger of the two taken per resource; sidecars also run
// beside the app containers, so they are added to the sum; then the overhead. With `defaults`,
// a container that leaves out cpu or memory counts with the default (upstream's
// NonMissingContainerRequests).
Resource EffectiveRequests(const std::vector<ContainerSpec>& containers, const std::vector<ContainerSpec>& init,
                           const ResourceList& overhead, const ResourceList* defaults) {
  auto requests_of = [defaults](const ContainerSpec& c) {
    return defaults == nullptr ? c.requests : WithDefaults(c.requests, *defaults);
  };
  ResourceList sum;
  for (const ContainerSpec& c : containers) AddResourceList(sum, requests_of(c));
  ResourceList sidecars;
  ResourceList init_max;
  for (const ContainerSpec& c : init) {
    const ResourceList reqs = requests_of(c);
    if (c.restartable) {
      AddResourceList(sum, reqs);
      AddResourceList(sidecars, reqs);
      MaxResourceList(init_max, sidecars);
    } else {
      ResourceList while_running = reqs;
      AddResourceList(while_running, sidecars);
      MaxResourceList(init_max, while_running);
    }
  }
  MaxResourceList(sum, init_max);
  AddResourceList(sum, overhead);
  return ToResource(sum);
}

const ResourceList& NonMissingDefaults() {
  static const ResourceList* defaults = new ResourceList{
      {std::string(kResourceCpu), api::Quantity::FromMilli(kDefaultMilliCpuRequest)},
      {std::string(kResourceMemory), api::Quantity::FromInt(kDefaultMemoryRequest, api::Quantity::Format::kBinarySI)},
  };
  return *defaults;
}

// ---- pod (anti-)affinity and topology spread ----

json::Value Expression(std::string_view key, std::string_view op, std::string_view value) {
  json::Value expr = json::Value::EmptyObject();
  expr.Set("key", key);
  expr.Set("operator", op);
  expr.Set("values", json::Value(json::Array{json::Value(value)}));
  return expr;
}

// labelSelector at `path` with the pod's values of `match_keys` required (In) and of
// `mismatch_keys` excluded (NotIn), as upstream merges matchLabelKeys / mismatchLabelKeys. Keys
// the pod has no label for add nothing. nullopt when there is no labelSelector: it selects
// nothing, and merging into nothing leaves nothing.
absl::StatusOr<std::optional<selectors::LabelSelector>> MergedSelector(const json::Value& owner, std::string_view path,
                                                                       const selectors::Labels& pod_labels,
                                                                       const std::vector<std::string>& match_keys,
                                                                       const std::vector<std::string>& mismatch_keys) {
  ASSIGN_OR_RETURN(const json::Value* raw, spec::Member(owner, "labelSelector", json::Type::kObject, path));
  if (raw == nullptr) return std::optional<selectors::LabelSelector>();
  const std::string selector_path = FieldPath(path, "labelSelector");
  json::Value merged = *raw;
  if (!match_keys.empty() || !mismatch_keys.empty()) {
    ASSIGN_OR_RETURN(const json::Value* exprs,
                     spec::Member(merged, "matchExpressions", json::Type::kArray, selector_path));
    if (exprs == nullptr) merged.Set("matchExpressions", json::Value::EmptyArray());
    json::Value& list = merged["matchExpressions"];
    for (const std::string& key : match_keys) {
      if (auto it = pod_labels.find(key); it != pod_labels.end()) list.Append(Expression(key, "In", it->second));
    }
    for (const std::string& key : mismatch_keys) {
      if (auto it = pod_labels.find(key); it != pod_labels.end()) list.Append(Expression(key, "NotIn", it->second));
    }
  }
  absl::StatusOr<selectors::LabelSelector> selector = selectors::LabelSelector::FromLabelSelectorObject(merged);
  if (!selector.ok()) return absl::InvalidArgumentError(StrCat(selector_path, ": ", selector.status().message()));
  return std::optional<selectors::LabelSelector>(*std::move(selector));
}

// Upstream's framework.newAffinityTerm with its namespaces rule.
absl::StatusOr<AffinityTerm> ParseAffinityTerm(const json::Value& term, std::string_view path, const PodInfo& pod) {
  AffinityTerm out;
  ASSIGN_OR_RETURN(std::vector<std::string> match_keys, spec::StringListMember(term, "matchLabelKeys", path));
  ASSIGN_OR_RETURN(std::vector<std::string> mismatch_keys, spec::StringListMember(term, "mismatchLabelKeys", path));
  ASSIGN_OR_RETURN(std::optional<selectors::LabelSelector> selector,
                   MergedSelector(term, path, pod.labels, match_keys, mismatch_keys));
  if (selector.has_value()) {
    out.selector = *std::move(selector);
    out.selector_set = true;
  }
  ASSIGN_OR_RETURN(std::vector<std::string> namespaces, spec::StringListMember(term, "namespaces", path));
  out.namespaces.insert(namespaces.begin(), namespaces.end());
  ASSIGN_OR_RETURN(const json::Value* ns_selector, spec::Member(term, "namespaceSelector", json::Type::kObject, path));
  if (ns_selector != nullptr) {
    absl::StatusOr<selectors::LabelSelector> parsed = selectors::LabelSelector::FromLabelSelectorObject(*ns_selector);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(StrCat(FieldPath(path, "namespaceSelector"), ": ", parsed.status().message()));
    }
    out.namespace_selector = *std::move(parsed);
  }
  if (namespaces.empty() && ns_selector == nullptr) out.namespaces.insert(pod.namespace_);
  ASSIGN_OR_RETURN(out.topology_key, spec::StringMember(term, "topologyKey", path));
  return out;
}

absl::Status ParsePodAffinity(const json::Value& affinity, std::string_view key, std::string_view path,
                              const PodInfo& pod, std::vector<AffinityTerm>* required,
                              std::vector<WeightedAffinityTerm>* preferred) {
  ASSIGN_OR_RETURN(const json::Value* section, spec::Member(affinity, key, json::Type::kObject, path));
  if (section == nullptr) return absl::OkStatus();
  const std::string section_path = FieldPath(path, key);
  ASSIGN_OR_RETURN(std::vector<const json::Value*> req,
                   spec::ObjectListMember(*section, "requiredDuringSchedulingIgnoredDuringExecution", section_path));
  const std::string req_path = FieldPath(section_path, "requiredDuringSchedulingIgnoredDuringExecution");
  for (size_t i = 0; i < req.size(); ++i) {
    ASSIGN_OR_RETURN(AffinityTerm term, ParseAffinityTerm(*req[i], IndexPath(req_path, i), pod));
    required->push_back(std::move(term));
  }
  ASSIGN_OR_RETURN(std::vector<const json::Value*> pref,
                   spec::ObjectListMember(*section, "preferredDuringSchedulingIgnoredDuringExecution", section_path));
  const std::string pref_path = FieldPath(section_path, "preferredDuringSchedulingIgnoredDuringExecution");
  for (size_t i = 0; i < pref.size(); ++i) {
    const std::string item_path = IndexPath(pref_path, i);
    WeightedAffinityTerm weighted;
    ASSIGN_OR_RETURN(std::optional<int64_t> weight, spec::IntMember(*pref[i], "weight", item_path));
    weighted.weight = static_cast<int32_t>(weight.value_or(0));
    ASSIGN_OR_RETURN(const json::Value* term,
                     spec::Member(*pref[i], "podAffinityTerm", json::Type::kObject, item_path));
    static const json::Value kEmpty = json::Value::EmptyObject();
    ASSIGN_OR_RETURN(weighted.term,
                     ParseAffinityTerm(term != nullptr ? *term : kEmpty, FieldPath(item_path, "podAffinityTerm"), pod));
    preferred->push_back(std::move(weighted));
  }
  return absl::OkStatus();
}

absl::Status ParseAffinity(const json::Value& pod_spec, PodInfo& pod) {
  ASSIGN_OR_RETURN(const json::Value* affinity, spec::Member(pod_spec, "affinity", json::Type::kObject, "spec"));
  if (affinity == nullptr) return absl::OkStatus();
  const std::string path = "spec.affinity";
  ASSIGN_OR_RETURN(const json::Value* node_affinity,
                   spec::Member(*affinity, "nodeAffinity", json::Type::kObject, path));
  if (node_affinity != nullptr) {
    const std::string node_path = FieldPath(path, "nodeAffinity");
    ASSIGN_OR_RETURN(
        const json::Value* required,
        spec::Member(*node_affinity, "requiredDuringSchedulingIgnoredDuringExecution", json::Type::kObject, node_path));
    if (required != nullptr) {
      pod.has_required_node_affinity = true;
      ASSIGN_OR_RETURN(
          pod.required_node_affinity,
          spec::ParseNodeSelector(*required, FieldPath(node_path, "requiredDuringSchedulingIgnoredDuringExecution"),
                                  /*strict=*/false));
    }
    ASSIGN_OR_RETURN(
        pod.preferred_node_affinity,
        spec::ParsePreferredSchedulingTerms(node_affinity->Find("preferredDuringSchedulingIgnoredDuringExecution"),
                                            FieldPath(node_path, "preferredDuringSchedulingIgnoredDuringExecution")));
  }
  RETURN_IF_ERROR(
      ParsePodAffinity(*affinity, "podAffinity", path, pod, &pod.required_affinity, &pod.preferred_affinity));
  RETURN_IF_ERROR(ParsePodAffinity(*affinity, "podAntiAffinity", path, pod, &pod.required_anti_affinity,
                                   &pod.preferred_anti_affinity));
  return absl::OkStatus();
}

absl::Status ParseTopologySpread(const json::Value& pod_spec, PodInfo& pod) {
  ASSIGN_OR_RETURN(std::vector<const json::Value*> items,
                   spec::ObjectListMember(pod_spec, "topologySpreadConstraints", "spec"));
  for (size_t i = 0; i < items.size(); ++i) {
    const json::Value& c = *items[i];
    const std::string path = IndexPath("spec.topologySpreadConstraints", i);
    TopologySpreadConstraint out;
    ASSIGN_OR_RETURN(std::optional<int64_t> max_skew, spec::IntMember(c, "maxSkew", path));
    out.max_skew = static_cast<int32_t>(max_skew.value_or(1));
    ASSIGN_OR_RETURN(out.topology_key, spec::StringMember(c, "topologyKey", path));
    ASSIGN_OR_RETURN(out.when_unsatisfiable, spec::StringMember(c, "whenUnsatisfiable", path));
    ASSIGN_OR_RETURN(std::vector<std::string> match_keys, spec::StringListMember(c, "matchLabelKeys", path));
    ASSIGN_OR_RETURN(std::optional<selectors::LabelSelector> selector,
                     MergedSelector(c, path, pod.labels, match_keys, {}));
    if (selector.has_value()) {
      out.selector = *std::move(selector);
      out.selector_set = true;
    }
    ASSIGN_OR_RETURN(std::optional<int64_t> min_domains, spec::IntMember(c, "minDomains", path));
    if (min_domains.has_value()) out.min_domains = static_cast<int32_t>(*min_domains);
    ASSIGN_OR_RETURN(out.node_affinity_policy, spec::StringMember(c, "nodeAffinityPolicy", path, "Honor"));
    if (out.node_affinity_policy.empty()) out.node_affinity_policy = "Honor";
    ASSIGN_OR_RETURN(out.node_taints_policy, spec::StringMember(c, "nodeTaintsPolicy", path, "Ignore"));
    if (out.node_taints_policy.empty()) out.node_taints_policy = "Ignore";
    pod.topology_spread_constraints.push_back(std::move(out));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ParseTimestamp(const json::Value& meta, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, spec::StringMember(meta, key, "metadata"));
  if (text.empty()) return absl::InfinitePast();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::InvalidArgumentError(StrCat("metadata.", key, ": ", err));
  }
  return t;
}

absl::Status ParseInto(const json::Value& obj, PodInfo& pod) {
  static const json::Value kEmpty = json::Value::EmptyObject();
  ASSIGN_OR_RETURN(const json::Value* metadata, spec::Member(obj, "metadata", json::Type::kObject, ""));
  const json::Value& meta = metadata != nullptr ? *metadata : kEmpty;
  ASSIGN_OR_RETURN(pod.namespace_, spec::StringMember(meta, "namespace", "metadata"));
  ASSIGN_OR_RETURN(pod.name, spec::StringMember(meta, "name", "metadata"));
  ASSIGN_OR_RETURN(pod.uid, spec::StringMember(meta, "uid", "metadata"));
  ASSIGN_OR_RETURN(pod.resource_version, spec::StringMember(meta, "resourceVersion", "metadata"));
  ASSIGN_OR_RETURN(pod.creation_time, ParseTimestamp(meta, "creationTimestamp"));
  const json::Value* deletion = meta.Find("deletionTimestamp");
  pod.terminating = deletion != nullptr && !deletion->is_null();
  ASSIGN_OR_RETURN(pod.labels, spec::StringMapMember(meta, "labels", "metadata"));

  ASSIGN_OR_RETURN(const json::Value* spec_value, spec::Member(obj, "spec", json::Type::kObject, ""));
  const json::Value& pod_spec = spec_value != nullptr ? *spec_value : kEmpty;
  ASSIGN_OR_RETURN(pod.node_name, spec::StringMember(pod_spec, "nodeName", "spec"));
  ASSIGN_OR_RETURN(pod.scheduler_name, spec::StringMember(pod_spec, "schedulerName", "spec"));
  if (pod.scheduler_name.empty()) pod.scheduler_name = "default-scheduler";
  ASSIGN_OR_RETURN(pod.preemption_policy, spec::StringMember(pod_spec, "preemptionPolicy", "spec"));
  if (pod.preemption_policy.empty()) pod.preemption_policy = "PreemptLowerPriority";
  ASSIGN_OR_RETURN(std::optional<int64_t> priority, spec::IntMember(pod_spec, "priority", "spec"));
  pod.priority = static_cast<int32_t>(priority.value_or(0));

  ASSIGN_OR_RETURN(std::vector<ContainerSpec> containers, ParseContainers(pod_spec, "containers"));
  ASSIGN_OR_RETURN(std::vector<ContainerSpec> init_containers, ParseContainers(pod_spec, "initContainers"));
  ASSIGN_OR_RETURN(ResourceList overhead, ParseResourceList(pod_spec.Find("overhead"), "spec.overhead"));
  pod.requests = EffectiveRequests(containers, init_containers, overhead, nullptr);
  pod.non_zero_requests = EffectiveRequests(containers, init_containers, overhead, &NonMissingDefaults());
  for (const ContainerSpec& c : init_containers) pod.images.push_back(c.image);
  for (const ContainerSpec& c : containers) {
    pod.images.push_back(c.image);
    pod.host_ports.insert(pod.host_ports.end(), c.host_ports.begin(), c.host_ports.end());
  }

  ASSIGN_OR_RETURN(pod.node_selector, spec::StringMapMember(pod_spec, "nodeSelector", "spec"));
  RETURN_IF_ERROR(ParseAffinity(pod_spec, pod));
  ASSIGN_OR_RETURN(pod.tolerations, spec::ParseTolerations(pod_spec.Find("tolerations"), "spec.tolerations"));
  RETURN_IF_ERROR(ParseTopologySpread(pod_spec, pod));
  ASSIGN_OR_RETURN(std::vector<const json::Value*> gates, spec::ObjectListMember(pod_spec, "schedulingGates", "spec"));
  for (size_t i = 0; i < gates.size(); ++i) {
    ASSIGN_OR_RETURN(std::string gate, spec::StringMember(*gates[i], "name", IndexPath("spec.schedulingGates", i)));
    pod.scheduling_gates.push_back(std::move(gate));
  }

  ASSIGN_OR_RETURN(const json::Value* status, spec::Member(obj, "status", json::Type::kObject, ""));
  if (status != nullptr) {
    ASSIGN_OR_RETURN(pod.phase, spec::StringMember(*status, "phase", "status"));
    ASSIGN_OR_RETURN(pod.nominated_node_name, spec::StringMember(*status, "nominatedNodeName", "status"));
  }
  return absl::OkStatus();
}

}  // namespace

bool Toleration::Tolerates(const Taint& taint) const {
  if (!effect.empty() && effect != taint.effect) return false;
  if (!key.empty() && key != taint.key) return false;
  if (op.empty() || op == "Equal") return value == taint.value;
  return op == "Exists";
}

bool Tolerated(const std::vector<Toleration>& tolerations, const Taint& taint) {
  for (const Toleration& t : tolerations) {
    if (t.Tolerates(taint)) return true;
  }
  return false;
}

bool NodeSelectorTerm::Matches(const selectors::Labels& node_labels, std::string_view node_name) const {
  if (match_expressions.empty() && match_fields.empty()) return false;
  for (const NodeSelectorRequirement& r : match_expressions) {
    if (!LabelRequirementMatches(r, node_labels)) return false;
  }
  for (const NodeSelectorRequirement& r : match_fields) {
    if (!FieldRequirementMatches(r, node_name)) return false;
  }
  return true;
}

bool PodInfo::MatchesNodeSelection(const selectors::Labels& node_labels, std::string_view node_name) const {
  for (const auto& [key, value] : node_selector) {
    auto it = node_labels.find(key);
    if (it == node_labels.end() || it->second != value) return false;
  }
  if (!has_required_node_affinity) return true;
  for (const NodeSelectorTerm& term : required_node_affinity) {
    if (term.Matches(node_labels, node_name)) return true;
  }
  return false;
}

absl::StatusOr<std::shared_ptr<const PodInfo>> PodInfo::FromObject(std::shared_ptr<const json::Value> pod) {
  if (pod == nullptr || !pod->is_object()) return absl::InvalidArgumentError("pod: expected an object");
  auto info = std::make_shared<PodInfo>();
  RETURN_IF_ERROR(ParseInto(*pod, *info));
  info->object = std::move(pod);
  return std::shared_ptr<const PodInfo>(std::move(info));
}

}  // namespace cubelet::scheduler
