// InterPodAffinity (upstream pkg/scheduler/framework/plugins/interpodaffinity, as of 1.32):
// Filter enforces the incoming pod's required pod affinity and anti-affinity and the required
// anti-affinity of the pods already placed; Score adds the weights of preferred terms (the
// incoming pod's, and the existing pods' towards it, with hardPodAffinityWeight for their
// required affinity) per topology domain.
//
// Namespaces of a term: its `namespaces` (or the owning pod's namespace when it names neither
// namespaces nor a namespaceSelector), plus those whose labels in the snapshot its
// namespaceSelector selects. Upstream resolves the incoming pod's selectors to names through
// its namespace lister first; evaluating them on the snapshot's labels gives the same result.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

constexpr std::string_view kName = "InterPodAffinity";
constexpr std::string_view kPreFilterStateKey = "PreFilterInterPodAffinity";
constexpr std::string_view kPreScoreStateKey = "PreScoreInterPodAffinity";
constexpr char kReasonAffinityRulesNotMatch[] = "node(s) didn't match pod affinity rules";
constexpr char kReasonAntiAffinityRulesNotMatch[] = "node(s) didn't match pod anti-affinity rules";
constexpr char kReasonExistingAntiAffinityRulesNotMatch[] =
    "node(s) didn't satisfy existing pods anti-affinity rules";

// ---- configuration ----

struct Args {
  int32_t hard_pod_affinity_weight = 1;
  bool ignore_preferred_terms_of_existing_pods = false;
};

absl::StatusOr<Args> ParseArgs(const json::Value* v) {
  RETURN_IF_ERROR(args::CheckTopLevel(v, "InterPodAffinityArgs",
                                      {"hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods"}));
  Args out;
  if (v == nullptr || v->is_null()) return out;
  ASSIGN_OR_RETURN(std::optional<int64_t> weight, spec::IntMember(*v, "hardPodAffinityWeight", ""));
  if (weight) {
    if (*weight < 0 || *weight > 100) {
      return absl::InvalidArgumentError(
          selectors::FieldInvalid("hardPodAffinityWeight", StrCat(*weight), "not in valid range [0, 100]"));
    }
    out.hard_pod_affinity_weight = static_cast<int32_t>(*weight);
  }
  ASSIGN_OR_RETURN(out.ignore_preferred_terms_of_existing_pods,
                   spec::BoolMember(*v, "ignorePreferredTermsOfExistingPods", ""));
  return out;
}

// ---- matching ----

const selectors::Labels& NamespaceLabels(const Snapshot& snapshot, std::string_view ns) {
  static const selectors::Labels* const kNone = new selectors::Labels();
  auto it = snapshot.namespace_labels.find(ns);
  return it == snapshot.namespace_labels.end() ? *kNone : it->second;
}

// Upstream AffinityTerm.Matches: `pod` is in one of the term's namespaces (`ns_labels` are
// the labels of the pod's namespace) and its labels match the term's selector.
bool TermMatches(const AffinityTerm& term, const PodInfo& pod, const selectors::Labels& ns_labels) {
  if (!term.namespaces.contains(pod.namespace_) &&
      !(term.namespace_selector && term.namespace_selector->Matches(ns_labels))) {
    return false;
  }
  return term.selector_set && term.selector.Matches(pod.labels);
}

// False for no terms.
bool MatchesAllTerms(const std::vector<AffinityTerm>& terms, const PodInfo& pod, const selectors::Labels& ns_labels) {
  if (terms.empty()) return false;
  for (const AffinityTerm& t : terms) {
    if (!TermMatches(t, pod, ns_labels)) return false;
  }
  return true;
}

// topology key -> topology value -> a count (PreFilter) or summed weights (PreScore); an entry
// exists only once something was added for it.
using TopologyCounts = std::map<std::string, std::map<std::string, int64_t, std::less<>>, std::less<>>;

void CountAt(TopologyCounts& counts, const selectors::Labels& node_labels, const std::string& key, int64_t n = 1) {
  if (auto it = node_labels.find(key); it != node_labels.end()) counts[key][it->second] += n;
}

int64_t CountOf(const TopologyCounts& counts, std::string_view key, std::string_view value) {
  auto values = counts.find(key);
  if (values == counts.end()) return 0;
  auto it = values->second.find(value);
  return it == values->second.end() ? 0 : it->second;
}

class PreFilterState : public StateData {
 public:
  // Pairs where existing pods' required anti-affinity terms match the incoming pod.
  TopologyCounts existing_anti_affinity;
  // Pairs with existing pods matching all of the incoming pod's required affinity terms.
  TopologyCounts affinity;
  // Pairs with existing pods matching one of the incoming pod's required anti-affinity terms.
  TopologyCounts anti_affinity;
  selectors::Labels namespace_labels;  // of the incoming pod's namespace
};

class PreScoreState : public StateData {
 public:
  TopologyCounts topology_score;
};

void AddScore(TopologyCounts& scores, const AffinityTerm& term, int64_t weight, const PodInfo& pod,
              const selectors::Labels& ns_labels, const selectors::Labels& node_labels) {
  if (TermMatches(term, pod, ns_labels)) CountAt(scores, node_labels, term.topology_key, weight);
}

class InterPodAffinity final : public PreFilterPlugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  explicit InterPodAffinity(Args args) : args_(args) {}

  std::string_view Name() const override { return kName; }

  Status PreFilter(CycleState& state, const PodInfo& pod, const Snapshot& snapshot) const override {
    auto s = std::make_shared<PreFilterState>();
    s->namespace_labels = NamespaceLabels(snapshot, pod.namespace_);
    for (const NodeInfoPtr& ni : snapshot.have_pods_with_required_anti_affinity) {
      const selectors::Labels& node_labels = ni->node().labels;
      for (const PodInfoPtr& existing : ni->pods_with_required_anti_affinity()) {
        for (const AffinityTerm& t : existing->required_anti_affinity) {
          if (TermMatches(t, pod, s->namespace_labels)) CountAt(s->existing_anti_affinity, node_labels, t.topology_key);
        }
      }
    }
    if (s->existing_anti_affinity.empty() && pod.required_affinity.empty() && pod.required_anti_affinity.empty()) {
      return Status::Skip();
    }
    if (!pod.required_affinity.empty() || !pod.required_anti_affinity.empty()) {
      for (const NodeInfoPtr& ni : snapshot.nodes) {
        const selectors::Labels& node_labels = ni->node().labels;
        for (const PodInfoPtr& existing : ni->pods()) {
          const selectors::Labels& existing_ns_labels = NamespaceLabels(snapshot, existing->namespace_);
          if (MatchesAllTerms(pod.required_affinity, *existing, existing_ns_labels)) {
            for (const AffinityTerm& t : pod.required_affinity) CountAt(s->affinity, node_labels, t.topology_key);
          }
          for (const AffinityTerm& t : pod.required_anti_affinity) {
            if (TermMatches(t, *existing, existing_ns_labels)) CountAt(s->anti_affinity, node_labels, t.topology_key);
          }
        }
      }
    }
    state.Write(std::string(kPreFilterStateKey), std::move(s));
    return Status();
  }

  Status Filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const auto* s = state.Read<PreFilterState>(kPreFilterStateKey);
    if (s == nullptr) return Status::Error(StrCat("reading \"", kPreFilterStateKey, "\" from cycleState: not found"));
    const selectors::Labels& labels = node.node().labels;
    if (!SatisfiesPodAffinity(*s, pod, labels)) return Status::Unresolvable(kReasonAffinityRulesNotMatch);
    for (const AffinityTerm& t : pod.required_anti_affinity) {
      auto value = labels.find(t.topology_key);
      if (value != labels.end() && CountOf(s->anti_affinity, t.topology_key, value->second) > 0) {
        return Status::Unschedulable(kReasonAntiAffinityRulesNotMatch);
      }
    }
    if (!s->existing_anti_affinity.empty()) {
      for (const auto& [key, value] : labels) {
        if (CountOf(s->existing_anti_affinity, key, value) > 0) {
          return Status::Unschedulable(kReasonExistingAntiAffinityRulesNotMatch);
        }
      }
    }
    return Status();
  }

  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                  const std::vector<const NodeInfo*>& /*nodes*/) const override {
    const bool has_preferred = !pod.preferred_affinity.empty() || !pod.preferred_anti_affinity.empty();
    if (args_.ignore_preferred_terms_of_existing_pods && !has_preferred) return Status::Skip();
    const selectors::Labels& pod_ns_labels = NamespaceLabels(snapshot, pod.namespace_);
    auto s = std::make_shared<PreScoreState>();
    // Without preferred terms of its own, only existing pods with affinity can contribute.
    const std::vector<NodeInfoPtr>& nodes = has_preferred ? snapshot.nodes : snapshot.have_pods_with_affinity;
    for (const NodeInfoPtr& ni : nodes) {
      const selectors::Labels& node_labels = ni->node().labels;
      if (node_labels.empty()) continue;
      for (const PodInfoPtr& existing : has_preferred ? ni->pods() : ni->pods_with_affinity()) {
        const selectors::Labels& existing_ns_labels = NamespaceLabels(snapshot, existing->namespace_);
        for (const WeightedAffinityTerm& t : pod.preferred_affinity) {
          AddScore(s->topology_score, t.term, t.weight, *existing, existing_ns_labels, node_labels);
        }
        for (const WeightedAffinityTerm& t : pod.preferred_anti_affinity) {
          AddScore(s->topology_score, t.term, -int64_t{t.weight}, *existing, existing_ns_labels, node_labels);
        }
        // Existing pods' terms apply even with ignorePreferredTermsOfExistingPods once the
        // incoming pod has preferred terms, as upstream does.
        if (args_.hard_pod_affinity_weight > 0) {
          for (const AffinityTerm& t : existing->required_affinity) {
            AddScore(s->topology_score, t, args_.hard_pod_affinity_weight, pod, pod_ns_labels, node_labels);
          }
        }
        for (const WeightedAffinityTerm& t : existing->preferred_affinity) {
          AddScore(s->topology_score, t.term, t.weight, pod, pod_ns_labels, node_labels);
        }
        for (const WeightedAffinityTerm& t : existing->preferred_anti_affinity) {
          AddScore(s->topology_score, t.term, -int64_t{t.weight}, pod, pod_ns_labels, node_labels);
        }
      }
    }
    if (s->topology_score.empty()) return Status::Skip();
    state.Write(std::string(kPreScoreStateKey), std::move(s));
    return Status();
  }

  int64_t Score(const CycleState& state, const PodInfo& /*pod*/, const NodeInfo& node) const override {
    const auto* s = state.Read<PreScoreState>(kPreScoreStateKey);
    if (s == nullptr) return 0;
    const selectors::Labels& labels = node.node().labels;
    int64_t score = 0;
    for (const auto& [key, values] : s->topology_score) {
      auto value = labels.find(key);
      if (value == labels.end()) continue;
      if (auto it = values.find(value->second); it != values.end()) score += it->second;
    }
    return score;
  }

  // Min-max scaling: the lowest (possibly negative) raw score becomes 0, the highest
  // kMaxNodeScore; all equal gives 0.
  void NormalizeScore(const CycleState& state, const PodInfo& /*pod*/, std::vector<NodeScore>& scores) const override {
    const auto* s = state.Read<PreScoreState>(kPreScoreStateKey);
    if (s == nullptr || s->topology_score.empty()) return;
    int64_t min_count = std::numeric_limits<int64_t>::max();
    int64_t max_count = std::numeric_limits<int64_t>::min();
    for (const NodeScore& ns : scores) {
      min_count = std::min(min_count, ns.score);
      max_count = std::max(max_count, ns.score);
    }
    const int64_t diff = max_count - min_count;
    for (NodeScore& ns : scores) {
      double f = 0;
      if (diff > 0) {
        f = static_cast<double>(kMaxNodeScore) * (static_cast<double>(ns.score - min_count) / static_cast<double>(diff));
      }
      ns.score = static_cast<int64_t>(f);
    }
  }

 private:
  // All topology keys of the required affinity terms must be on the node, and each domain must
  // hold a pod matching all terms, unless no pod anywhere matches and the pod matches its own
  // terms: the first pod of a group with affinity to itself must be able to go somewhere.
  static bool SatisfiesPodAffinity(const PreFilterState& s, const PodInfo& pod, const selectors::Labels& labels) {
    bool pods_exist = true;
    for (const AffinityTerm& t : pod.required_affinity) {
      auto value = labels.find(t.topology_key);
      if (value == labels.end()) return false;
      if (CountOf(s.affinity, t.topology_key, value->second) <= 0) pods_exist = false;
    }
    if (pods_exist) return true;
    return s.affinity.empty() && MatchesAllTerms(pod.required_affinity, pod, s.namespace_labels);
  }

  Args args_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewInterPodAffinity(const json::Value* args) {
  ASSIGN_OR_RETURN(Args parsed, ParseArgs(args));
  return std::unique_ptr<Plugin>(std::make_unique<InterPodAffinity>(parsed));
}

}  // namespace cubelet::scheduler
