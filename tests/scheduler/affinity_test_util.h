// Owns: building pods, nodes and snapshots by hand for the PodTopologySpread and
// InterPodAffinity tests (in the shape of upstream's st.MakePod()/st.MakeNode() tables), and
// running one plugin through a cycle the way the framework does.
// Does not own: parsing pods from JSON (pod_info.h), the framework itself (profile.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "scheduler/framework.h"
#include "scheduler/node_info.h"
#include "scheduler/pod_info.h"
#include "selectors/selectors.h"

namespace cubelet::scheduler::affinity_testing {

inline selectors::LabelSelector Selector(std::string_view text) {
  absl::StatusOr<selectors::LabelSelector> s = selectors::LabelSelector::Parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << s.status();
  return s.ok() ? *s : selectors::LabelSelector();
}

// A pod (anti-)affinity term. Namespaces left empty without a namespace selector become the
// owning pod's namespace when the pod is built, as upstream's parsing does.
inline AffinityTerm Term(std::string_view selector, std::string topology_key, std::vector<std::string> namespaces = {},
                         std::optional<std::string_view> namespace_selector = std::nullopt) {
  AffinityTerm t;
  t.selector = Selector(selector);
  t.selector_set = true;
  t.namespaces.insert(namespaces.begin(), namespaces.end());
  if (namespace_selector) t.namespace_selector = Selector(*namespace_selector);
  t.topology_key = std::move(topology_key);
  return t;
}

struct SpreadOptions {
  std::optional<int32_t> min_domains;
  std::string node_affinity_policy = "Honor";
  std::string node_taints_policy = "Ignore";
};

class PodBuilder {
 public:
  explicit PodBuilder(std::string name, std::string ns = "default") {
    pod_.name = std::move(name);
    pod_.namespace_ = std::move(ns);
    pod_.uid = pod_.namespace_ + "/" + pod_.name;
  }
  PodBuilder& Label(std::string key, std::string value = "") {
    pod_.labels[std::move(key)] = std::move(value);
    return *this;
  }
  PodBuilder& Node(std::string node) {
    pod_.node_name = std::move(node);
    return *this;
  }
  PodBuilder& Terminating() {
    pod_.terminating = true;
    return *this;
  }
  PodBuilder& NodeSelector(std::string key, std::string value) {
    pod_.node_selector[std::move(key)] = std::move(value);
    return *this;
  }
  PodBuilder& Toleration(std::string key, std::string value, std::string effect) {
    pod_.tolerations.push_back({.key = std::move(key), .op = "Equal", .value = std::move(value),
                                .effect = std::move(effect), .toleration_seconds = std::nullopt});
    return *this;
  }
  // selector nullopt: a constraint without labelSelector.
  PodBuilder& Spread(int32_t max_skew, std::string topology_key, std::string when,
                     std::optional<std::string_view> selector, SpreadOptions options = {}) {
    TopologySpreadConstraint c;
    c.max_skew = max_skew;
    c.topology_key = std::move(topology_key);
    c.when_unsatisfiable = std::move(when);
    if (selector) {
      c.selector = Selector(*selector);
      c.selector_set = true;
    }
    c.min_domains = options.min_domains;
    c.node_affinity_policy = options.node_affinity_policy;
    c.node_taints_policy = options.node_taints_policy;
    pod_.topology_spread_constraints.push_back(std::move(c));
    return *this;
  }
  PodBuilder& Affinity(AffinityTerm t) {
    pod_.required_affinity.push_back(std::move(t));
    return *this;
  }
  PodBuilder& AntiAffinity(AffinityTerm t) {
    pod_.required_anti_affinity.push_back(std::move(t));
    return *this;
  }
  PodBuilder& PreferredAffinity(int32_t weight, AffinityTerm t) {
    pod_.preferred_affinity.push_back({weight, std::move(t)});
    return *this;
  }
  PodBuilder& PreferredAntiAffinity(int32_t weight, AffinityTerm t) {
    pod_.preferred_anti_affinity.push_back({weight, std::move(t)});
    return *this;
  }

  PodInfoPtr Obj() const {
    auto pod = std::make_shared<PodInfo>(pod_);
    auto own_namespace = [&](AffinityTerm& t) {
      if (t.namespaces.empty() && !t.namespace_selector) t.namespaces.insert(pod->namespace_);
    };
    for (AffinityTerm& t : pod->required_affinity) own_namespace(t);
    for (AffinityTerm& t : pod->required_anti_affinity) own_namespace(t);
    for (WeightedAffinityTerm& t : pod->preferred_affinity) own_namespace(t.term);
    for (WeightedAffinityTerm& t : pod->preferred_anti_affinity) own_namespace(t.term);
    return pod;
  }

 private:
  PodInfo pod_;
};

inline std::shared_ptr<const NodeSpecInfo> MakeNode(std::string name, selectors::Labels labels = {},
                                                    std::vector<Taint> taints = {}) {
  auto node = std::make_shared<NodeSpecInfo>();
  node->name = std::move(name);
  node->labels = std::move(labels);
  node->taints = std::move(taints);
  return node;
}

// A snapshot of `nodes` (sorted by name, as the cache keeps them) with each pod on the node
// its node_name names; pods on other nodes are dropped.
inline Snapshot MakeSnapshot(const std::vector<std::shared_ptr<const NodeSpecInfo>>& nodes,
                             const std::vector<PodInfoPtr>& pods = {},
                             std::map<std::string, selectors::Labels, std::less<>> namespace_labels = {}) {
  std::map<std::string, std::shared_ptr<NodeInfo>> by_name;
  for (const auto& n : nodes) by_name[n->name] = std::make_shared<NodeInfo>(n);
  for (const PodInfoPtr& p : pods) {
    if (auto it = by_name.find(p->node_name); it != by_name.end()) it->second->AddPod(p);
  }
  Snapshot s;
  for (const auto& [name, info] : by_name) {
    s.node_index[name] = static_cast<int>(s.nodes.size());
    s.nodes.push_back(info);
    if (!info->pods_with_affinity().empty()) s.have_pods_with_affinity.push_back(info);
    if (!info->pods_with_required_anti_affinity().empty()) s.have_pods_with_required_anti_affinity.push_back(info);
  }
  s.namespace_labels = std::move(namespace_labels);
  return s;
}

// PreFilter, then Filter on every node of the snapshot (all pass when PreFilter skips).
struct FilterRun {
  Status pre_filter;
  std::map<std::string, Status> by_node;
};

inline FilterRun RunFilter(const Plugin& plugin, const PodInfo& pod, const Snapshot& snapshot) {
  const auto& pre = dynamic_cast<const PreFilterPlugin&>(plugin);
  const auto& filter = dynamic_cast<const FilterPlugin&>(plugin);
  CycleState state;
  FilterRun run;
  run.pre_filter = pre.PreFilter(state, pod, snapshot);
  for (const NodeInfoPtr& n : snapshot.nodes) {
    run.by_node[n->name()] = run.pre_filter.code() == Code::kSkip ? Status() : filter.Filter(state, pod, *n);
  }
  return run;
}

// PreScore over the feasible `nodes`, then Score and NormalizeScore; every score is 0 when
// PreScore skips (the framework leaves the plugin out). `skipped` tells which happened.
inline std::vector<NodeScore> RunScore(const Plugin& plugin, const PodInfo& pod, const Snapshot& snapshot,
                                       const std::vector<std::string>& nodes, bool* skipped = nullptr) {
  const auto& pre = dynamic_cast<const PreScorePlugin&>(plugin);
  const auto& score = dynamic_cast<const ScorePlugin&>(plugin);
  std::vector<const NodeInfo*> feasible;
  for (const std::string& name : nodes) {
    const NodeInfo* n = snapshot.Get(name);
    EXPECT_NE(n, nullptr) << name;
    if (n != nullptr) feasible.push_back(n);
  }
  CycleState state;
  Status s = pre.PreScore(state, pod, snapshot, feasible);
  EXPECT_TRUE(s.ok() || s.code() == Code::kSkip);
  if (skipped != nullptr) *skipped = s.code() == Code::kSkip;
  std::vector<NodeScore> out;
  for (const NodeInfo* n : feasible) {
    out.push_back({n->name(), s.code() == Code::kSkip ? 0 : score.Score(state, pod, *n)});
  }
  if (s.ok()) score.NormalizeScore(state, pod, out);
  return out;
}

// "node-a=20 node-b=60" for compact expectations.
inline std::string ScoresString(const std::vector<NodeScore>& scores) {
  std::string out;
  for (const NodeScore& s : scores) {
    if (!out.empty()) out += " ";
    out += s.name + "=" + std::to_string(s.score);
  }
  return out;
}

// "" when the status passed, else "<code>: <reasons>" (U: Unschedulable, UU: unresolvable).
inline std::string Verdict(const Status& s) {
  if (s.ok()) return "";
  std::string out;
  switch (s.code()) {
    case Code::kUnschedulable: out = "U"; break;
    case Code::kUnschedulableAndUnresolvable: out = "UU"; break;
    case Code::kError: out = "Error"; break;
    case Code::kSkip: out = "Skip"; break;
    case Code::kSuccess: break;
  }
  for (const std::string& r : s.reasons()) out += ": " + r;
  return out;
}

inline std::map<std::string, std::string> Verdicts(const FilterRun& run) {
  std::map<std::string, std::string> out;
  for (const auto& [node, status] : run.by_node) out[node] = Verdict(status);
  return out;
}

}  // namespace cubelet::scheduler::affinity_testing
