// PodTopologySpread (upstream pkg/scheduler/framework/plugins/podtopologyspread, as of 1.32):
// Filter keeps DoNotSchedule constraints' skew within maxSkew; Score prefers the domains with
// fewer matching pods for ScheduleAnyway constraints.
//
// Default constraints: upstream applies them (the System set, zone maxSkew 5 and hostname
// maxSkew 3, or the configured List) to a pod without constraints of its own, selecting the
// pods that the Services, ReplicationControllers, ReplicaSets and StatefulSets selecting the
// pod select, and applies none when nothing selects the pod. This server serves Services
// (not the workload kinds), so the Services selecting the pod (Snapshot::service_selectors)
// are what the defaults select.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/framework.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"
#include "scheduler/spec_fields.h"
#include "selectors/label_validation.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kName = "PodTopologySpread";
constexpr std::string_view kPreFilterStateKey = "PreFilterPodTopologySpread";
constexpr std::string_view kPreScoreStateKey = "PreScorePodTopologySpread";
constexpr char kReasonConstraintsNotMatch[] = "node(s) didn't match pod topology spread constraints";
constexpr char kReasonNodeLabelNotMatch[] =
    "node(s) didn't match pod topology spread constraints (missing required label)";
constexpr std::string_view kLabelHostname = "kubernetes.io/hostname";
constexpr std::string_view kLabelTopologyZone = "topology.kubernetes.io/zone";
constexpr std::string_view kDoNotSchedule = "DoNotSchedule";
constexpr std::string_view kScheduleAnyway = "ScheduleAnyway";
constexpr std::string_view kHonor = "Honor";
constexpr std::string_view kIgnore = "Ignore";

// ---- configuration ----

// One entry of PodTopologySpreadArgs.defaultConstraints (a v1.TopologySpreadConstraint
// without labelSelector).
struct DefaultConstraint {
  int32_t max_skew = 0;
  std::string topology_key;
  std::string when_unsatisfiable;
  std::optional<int32_t> min_domains;
  std::string node_affinity_policy = std::string(kHonor);
  std::string node_taints_policy = std::string(kIgnore);
  bool has_label_selector = false;  // forbidden: the selector is deduced for each pod
};

struct Args {
  std::string defaulting_type = "System";
  std::vector<DefaultConstraint> default_constraints;
};

std::string Quote(std::string_view s) { return selectors::GoQuote(s); }

std::string Unsupported(std::string_view path, std::string_view value, std::initializer_list<std::string_view> ok) {
  std::string out = StrCat(path, ": Unsupported value: ", Quote(value), ": supported values: ");
  bool first = true;
  for (std::string_view o : ok) {
    if (!first) out += ", ";
    first = false;
    out += Quote(o);
  }
  return out;
}

absl::StatusOr<std::optional<int32_t>> Int32Member(const json::Value& object, std::string_view key,
                                                   std::string_view path) {
  ASSIGN_OR_RETURN(std::optional<int64_t> v, spec::IntMember(object, key, path));
  if (!v) return std::optional<int32_t>();
  if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(StrCat(spec::FieldPath(path, key), ": expected a 32-bit integer"));
  }
  return std::optional<int32_t>(static_cast<int32_t>(*v));
}

// One v1.TopologySpreadConstraint of defaultConstraints (a labelSelector is only noted, for
// validation to refuse).
absl::StatusOr<DefaultConstraint> ParseDefaultConstraint(const json::Value& item, const std::string& path) {
  RETURN_IF_ERROR(args::CheckNested(item, path,
                                    {"maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector", "minDomains",
                                     "nodeAffinityPolicy", "nodeTaintsPolicy", "matchLabelKeys"}));
  DefaultConstraint c;
  ASSIGN_OR_RETURN(std::optional<int32_t> max_skew, Int32Member(item, "maxSkew", path));
  c.max_skew = max_skew.value_or(0);
  ASSIGN_OR_RETURN(c.topology_key, spec::StringMember(item, "topologyKey", path));
  ASSIGN_OR_RETURN(c.when_unsatisfiable, spec::StringMember(item, "whenUnsatisfiable", path));
  ASSIGN_OR_RETURN(c.min_domains, Int32Member(item, "minDomains", path));
  ASSIGN_OR_RETURN(c.node_affinity_policy, spec::StringMember(item, "nodeAffinityPolicy", path, kHonor));
  ASSIGN_OR_RETURN(c.node_taints_policy, spec::StringMember(item, "nodeTaintsPolicy", path, kIgnore));
  // Checked for shape only: upstream merges them into the selector deduced for each pod.
  RETURN_IF_ERROR(spec::StringListMember(item, "matchLabelKeys", path).status());
  const json::Value* selector = item.Find("labelSelector");
  c.has_label_selector = selector != nullptr && !selector->is_null();
  return c;
}

// upstream validation.ValidatePodTopologySpreadArgs, with its field paths and wording (it does
// not check minDomains or the node inclusion policies of default constraints either).
absl::Status Validate(const Args& args) {
  std::vector<std::string> problems;
  if (args.defaulting_type != "System" && args.defaulting_type != "List") {
    problems.push_back(Unsupported("defaultingType", args.defaulting_type, {"System", "List"}));
  } else if (args.defaulting_type == "System" && !args.default_constraints.empty()) {
    problems.push_back(selectors::FieldInvalid("defaultingType", Quote(args.defaulting_type),
                                               "when .defaultConstraints are not empty"));
  }
  for (size_t i = 0; i < args.default_constraints.size(); ++i) {
    const DefaultConstraint& c = args.default_constraints[i];
    const std::string p = StrCat("defaultConstraints[", i, "]");
    if (c.max_skew <= 0) {
      problems.push_back(selectors::FieldInvalid(StrCat(p, ".maxSkew"), StrCat(c.max_skew), "not in valid range (0, inf)"));
    }
    if (c.topology_key.empty()) {
      problems.push_back(selectors::FieldRequired(StrCat(p, ".topologyKey"), "can not be empty"));
    } else {
      for (const std::string& m : selectors::IsQualifiedName(c.topology_key)) {
        problems.push_back(selectors::FieldInvalid(StrCat(p, ".topologyKey"), Quote(c.topology_key), m));
      }
    }
    if (c.when_unsatisfiable != kDoNotSchedule && c.when_unsatisfiable != kScheduleAnyway) {
      problems.push_back(Unsupported(StrCat(p, ".whenUnsatisfiable"), c.when_unsatisfiable,
                                     {kDoNotSchedule, kScheduleAnyway}));
    }
    if (c.has_label_selector) {
      problems.push_back(selectors::FieldForbidden(
          StrCat(p, ".labelSelector"), "constraint must not define a selector, as they deduced for each pod"));
    }
    for (size_t j = 0; j < i; ++j) {
      const DefaultConstraint& prev = args.default_constraints[j];
      if (prev.topology_key == c.topology_key && prev.when_unsatisfiable == c.when_unsatisfiable) {
        problems.push_back(StrCat(p, ": Duplicate value: \"{", c.topology_key, ", ", c.when_unsatisfiable, "}\""));
        break;
      }
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(selectors::AggregateMessages(problems));
}

absl::StatusOr<Args> ParseArgs(const json::Value* v) {
  RETURN_IF_ERROR(args::CheckTopLevel(v, "PodTopologySpreadArgs", {"defaultingType", "defaultConstraints"}));
  Args out;
  if (v == nullptr || v->is_null()) return out;
  ASSIGN_OR_RETURN(out.defaulting_type, spec::StringMember(*v, "defaultingType", "", "System"));
  if (out.defaulting_type.empty()) out.defaulting_type = "System";  // v1's default
  ASSIGN_OR_RETURN(std::vector<const json::Value*> items, spec::ObjectListMember(*v, "defaultConstraints", ""));
  for (size_t i = 0; i < items.size(); ++i) {
    ASSIGN_OR_RETURN(DefaultConstraint c, ParseDefaultConstraint(*items[i], spec::IndexPath("defaultConstraints", i)));
    out.default_constraints.push_back(std::move(c));
  }
  RETURN_IF_ERROR(Validate(out));
  return out;
}

// ---- the plugin ----

// A constraint as the plugin evaluates it (upstream's internal topologySpreadConstraint).
struct Constraint {
  int32_t max_skew = 1;
  std::string topology_key;
  std::optional<selectors::LabelSelector> selector;  // nullopt: no labelSelector, matches no pod
  int32_t min_domains = 1;
  bool honor_node_affinity = true;
  bool honor_node_taints = false;

  bool Selects(const selectors::Labels& labels) const { return selector && selector->Matches(labels); }
};

bool HasAllTopologyKeys(const selectors::Labels& labels, const std::vector<Constraint>& constraints) {
  for (const Constraint& c : constraints) {
    if (!labels.contains(c.topology_key)) return false;
  }
  return true;
}

// Matching pods of the incoming pod's namespace; terminating pods are not counted (upstream
// #87621: they are about to free their place).
int CountMatchingPods(const std::vector<PodInfoPtr>& pods, const Constraint& c, std::string_view ns) {
  int n = 0;
  for (const PodInfoPtr& p : pods) {
    if (p->terminating || p->namespace_ != ns) continue;
    if (c.Selects(p->labels)) ++n;
  }
  return n;
}

// Whether `node` counts for constraint `c` under its nodeAffinityPolicy and nodeTaintsPolicy.
// `affinity_match` caches the pod's node selection result for this node across constraints.
bool NodeIsEligible(const Constraint& c, const PodInfo& pod, const NodeSpecInfo& node,
                    std::optional<bool>& affinity_match) {
  if (c.honor_node_affinity) {
    if (!affinity_match) affinity_match = pod.MatchesNodeSelection(node.labels, node.name);
    if (!*affinity_match) return false;
  }
  if (c.honor_node_taints) {
    for (const Taint& t : node.taints) {
      if ((t.effect == "NoSchedule" || t.effect == "NoExecute") && !Tolerated(pod.tolerations, t)) return false;
    }
  }
  return true;
}

class PreFilterState : public StateData {
 public:
  std::vector<Constraint> constraints;
  // Per constraint: topology value -> matching pods in that domain, over eligible nodes.
  std::vector<std::unordered_map<std::string, int>> match_num;
  // Per constraint: the smallest count over its domains (the "global minimum"), INT32_MAX with none.
  std::vector<int> min_match_num;
};

class PreScoreState : public StateData {
 public:
  std::vector<Constraint> constraints;
  // Feasible nodes lacking a topology key: scored 0 and left out of the min/max.
  std::unordered_set<std::string> ignored_nodes;
  // Per constraint (hostname constraints excepted: counted per node at Score): domain -> pods.
  std::vector<std::unordered_map<std::string, int64_t>> pod_counts;
  std::vector<double> normalizing_weight;
};

class PodTopologySpread final : public PreFilterPlugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  explicit PodTopologySpread(Args args)
      : system_defaulted_(args.defaulting_type == "System"), default_constraints_(std::move(args.default_constraints)) {
    if (system_defaulted_) {
      default_constraints_.resize(2);
      default_constraints_[0].max_skew = 3;
      default_constraints_[0].topology_key = kLabelHostname;
      default_constraints_[1].max_skew = 5;
      default_constraints_[1].topology_key = kLabelTopologyZone;
      for (DefaultConstraint& c : default_constraints_) c.when_unsatisfiable = kScheduleAnyway;
    }
  }

  std::string_view Name() const override { return kName; }

  Status PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) const override {
    auto s = std::make_shared<PreFilterState>();
    s->constraints = Constraints(pod, snapshot, kDoNotSchedule);
    if (s->constraints.empty()) return Status::Skip();
    const size_t n = s->constraints.size();
    s->match_num.resize(n);
    for (const NodeInfoPtr& ni : snapshot.nodes) {
      const NodeSpecInfo& node = ni->node();
      if (!HasAllTopologyKeys(node.labels, s->constraints)) continue;
      std::optional<bool> affinity_match;
      for (size_t i = 0; i < n; ++i) {
        const Constraint& c = s->constraints[i];
        if (!NodeIsEligible(c, pod, node, affinity_match)) continue;
        s->match_num[i][node.labels.find(c.topology_key)->second] += CountMatchingPods(ni->pods(), c, pod.namespace_);
      }
    }
    s->min_match_num.assign(n, std::numeric_limits<int32_t>::max());
    for (size_t i = 0; i < n; ++i) {
      for (const auto& [value, num] : s->match_num[i]) s->min_match_num[i] = std::min(s->min_match_num[i], num);
    }
    state.Write(std::string(kPreFilterStateKey), std::move(s));
    return Status();
  }

  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const auto* s = state.Read<PreFilterState>(kPreFilterStateKey);
    if (s == nullptr) return Status::Error(StrCat("reading \"", kPreFilterStateKey, "\" from cycleState: not found"));
    const selectors::Labels& labels = node.node().labels;
    for (size_t i = 0; i < s->constraints.size(); ++i) {
      const Constraint& c = s->constraints[i];
      auto value = labels.find(c.topology_key);
      if (value == labels.end()) return Status::Unresolvable(kReasonNodeLabelNotMatch);
      // Fewer eligible domains than minDomains: the global minimum counts as 0.
      const int min_match = static_cast<int64_t>(s->match_num[i].size()) < c.min_domains ? 0 : s->min_match_num[i];
      const int self_match = c.Selects(pod.labels) ? 1 : 0;
      auto it = s->match_num[i].find(value->second);
      const int match = it == s->match_num[i].end() ? 0 : it->second;
      if (static_cast<int64_t>(match) + self_match - min_match > c.max_skew) {
        return Status::Unschedulable(kReasonConstraintsNotMatch);
      }
    }
    return Status();
  }

  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                  const std::vector<const NodeInfo*>& nodes) const override {
    if (snapshot.nodes.empty()) return Status::Skip();
    auto s = std::make_shared<PreScoreState>();
    s->constraints = Constraints(pod, snapshot, kScheduleAnyway);
    if (s->constraints.empty()) return Status::Skip();
    // Only the system defaults tolerate nodes without every key, so that nodes without a zone
    // label still get hostname spreading.
    const bool require_all_topologies = !pod.topology_spread_constraints.empty() || !system_defaulted_;
    const size_t n = s->constraints.size();
    s->pod_counts.resize(n);
    std::vector<int> topology_size(n, 0);
    for (const NodeInfo* ni : nodes) {
      const selectors::Labels& labels = ni->node().labels;
      if (require_all_topologies && !HasAllTopologyKeys(labels, s->constraints)) {
        s->ignored_nodes.insert(ni->name());
        continue;
      }
      for (size_t i = 0; i < n; ++i) {
        const Constraint& c = s->constraints[i];
        if (c.topology_key == kLabelHostname) continue;
        auto value = labels.find(c.topology_key);
        const std::string domain = value == labels.end() ? "" : value->second;
        if (s->pod_counts[i].emplace(domain, 0).second) ++topology_size[i];
      }
    }
    s->normalizing_weight.resize(n);
    for (size_t i = 0; i < n; ++i) {
      int size = topology_size[i];
      if (s->constraints[i].topology_key == kLabelHostname) {
        size = static_cast<int>(nodes.size() - s->ignored_nodes.size());
      }
      // log(size + 2): a domain's count weighs more in a topology with more domains, so small
      // topologies are not watered down by big ones.
      s->normalizing_weight[i] = std::log(static_cast<double>(size + 2));
    }
    for (const NodeInfoPtr& ni : snapshot.nodes) {
      const NodeSpecInfo& node = ni->node();
      if (require_all_topologies && !HasAllTopologyKeys(node.labels, s->constraints)) continue;
      std::optional<bool> affinity_match;
      for (size_t i = 0; i < n; ++i) {
        const Constraint& c = s->constraints[i];
        if (!NodeIsEligible(c, pod, node, affinity_match)) continue;
        auto value = node.labels.find(c.topology_key);
        // Only domains of feasible nodes are counted (hostname domains are counted at Score).
        auto count = s->pod_counts[i].find(value == node.labels.end() ? "" : value->second);
        if (count == s->pod_counts[i].end()) continue;
        count->second += CountMatchingPods(ni->pods(), c, pod.namespace_);
      }
    }
    state.Write(std::string(kPreScoreStateKey), std::move(s));
    return Status();
  }

  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const auto* s = state.Read<PreScoreState>(kPreScoreStateKey);
    if (s == nullptr || s->ignored_nodes.contains(node.name())) return 0;
    const selectors::Labels& labels = node.node().labels;
    double score = 0;
    for (size_t i = 0; i < s->constraints.size(); ++i) {
      const Constraint& c = s->constraints[i];
      auto value = labels.find(c.topology_key);
      if (value == labels.end()) continue;
      int64_t count = 0;
      if (c.topology_key == kLabelHostname) {
        count = CountMatchingPods(node.pods(), c, pod.namespace_);
      } else if (auto it = s->pod_counts[i].find(value->second); it != s->pod_counts[i].end()) {
        count = it->second;
      }
      // maxSkew − 1 is added so that a larger maxSkew tolerates larger differences.
      score += static_cast<double>(count) * s->normalizing_weight[i] + static_cast<double>(c.max_skew - 1);
    }
    return static_cast<int64_t>(std::round(score));
  }

  void NormalizeScore(const CycleState& state, const PodInfo& /*pod*/, std::vector<NodeScore>& scores) const override {
    const auto* s = state.Read<PreScoreState>(kPreScoreStateKey);
    if (s == nullptr) return;
    int64_t min_score = std::numeric_limits<int64_t>::max();
    int64_t max_score = 0;
    for (const NodeScore& ns : scores) {
      if (s->ignored_nodes.contains(ns.name)) continue;
      min_score = std::min(min_score, ns.score);
      max_score = std::max(max_score, ns.score);
    }
    for (NodeScore& ns : scores) {
      if (s->ignored_nodes.contains(ns.name)) {
        ns.score = 0;
      } else if (max_score == 0) {
        ns.score = kMaxNodeScore;
      } else {
        // Reversed: the fewest matching pods get kMaxNodeScore.
        ns.score = kMaxNodeScore * (max_score + min_score - ns.score) / max_score;
      }
    }
  }

 private:
  // The pod's own constraints for `action` when it has any constraints at all, else the
  // defaults for `action`.
  std::vector<Constraint> Constraints(const PodInfo& pod, const Snapshot& snapshot, std::string_view action) const {
    std::vector<Constraint> out;
    if (pod.topology_spread_constraints.empty()) return DefaultConstraints(pod, snapshot, action);
    for (const TopologySpreadConstraint& c : pod.topology_spread_constraints) {
      if (c.when_unsatisfiable != action) continue;
      out.push_back({.max_skew = c.max_skew,
                     .topology_key = c.topology_key,
                     .selector = c.selector_set ? std::optional(c.selector) : std::nullopt,
                     .min_domains = c.min_domains.value_or(1),
                     .honor_node_affinity = c.node_affinity_policy == kHonor,
                     .honor_node_taints = c.node_taints_policy == kHonor});
    }
    return out;
  }

  // The defaults for `action`, selecting what DefaultSelector selects.
  std::vector<Constraint> DefaultConstraints(const PodInfo& pod, const Snapshot& snapshot,
                                             std::string_view action) const {
    std::optional<selectors::LabelSelector> selector = DefaultSelector(pod, snapshot);
    if (!selector) return {};
    std::vector<Constraint> out;
    for (const DefaultConstraint& c : default_constraints_) {
      if (c.when_unsatisfiable != action) continue;
      out.push_back({.max_skew = c.max_skew,
                     .topology_key = c.topology_key,
                     .selector = selector,
                     .min_domains = c.min_domains.value_or(1),
                     .honor_node_affinity = c.node_affinity_policy == kHonor,
                     .honor_node_taints = c.node_taints_policy == kHonor});
    }
    return out;
  }

  // Upstream: the merged selectors of the Services, ReplicationControllers, ReplicaSets and
  // StatefulSets that select the pod, and no default spreading when there are none. This
  // server serves Services only, so those are the ones that count.
  static std::optional<selectors::LabelSelector> DefaultSelector(const PodInfo& pod, const Snapshot& snapshot) {
    auto services = snapshot.service_selectors.find(pod.namespace_);
    if (services == snapshot.service_selectors.end()) return std::nullopt;
    json::Array expressions;
    for (const selectors::Labels& selector : services->second) {
      if (selector.empty()) continue;  // a Service without a selector selects no pod
      bool selects = true;
      for (const auto& [key, value] : selector) {
        auto label = pod.labels.find(key);
        if (label == pod.labels.end() || label->second != value) {
          selects = false;
          break;
        }
      }
      if (!selects) continue;
      for (const auto& [key, value] : selector) {
        json::Value requirement = json::Value::EmptyObject();
        requirement.Set("key", key);
        requirement.Set("operator", "In");
        requirement.Set("values", json::Value(json::Array{json::Value(value)}));
        expressions.push_back(std::move(requirement));
      }
    }
    if (expressions.empty()) return std::nullopt;
    json::Value object = json::Value::EmptyObject();
    object.Set("matchExpressions", json::Value(std::move(expressions)));
    auto selector = selectors::LabelSelector::FromLabelSelectorObject(object);
    if (!selector.ok()) return std::nullopt;  // labels that were valid on the Service and the pod
    return *selector;
  }

  bool system_defaulted_;
  std::vector<DefaultConstraint> default_constraints_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewPodTopologySpread(const json::Value* args) {
  ASSIGN_OR_RETURN(Args parsed, ParseArgs(args));
  return std::unique_ptr<Plugin>(std::make_unique<PodTopologySpread>(std::move(parsed)));
}

}  // namespace cubelet::scheduler
