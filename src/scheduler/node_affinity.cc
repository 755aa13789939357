// NodeAffinity (upstream nodeaffinity): Filter requires spec.nodeSelector and the required node
// affinity (plus NodeAffinityArgs.addedAffinity's required part); Score sums the weights of the
// preferred terms (the pod's and addedAffinity's) that match, normalised so the best node gets
// 100.
#include <optional>
#include <set>

#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"
#include "scheduler/spec_fields.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kErrReasonPod = "node(s) didn't match Pod's node affinity/selector";
constexpr std::string_view kErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity";
constexpr std::string_view kErrReasonConflict = "pod affinity terms conflict";

bool AnyTermMatches(const std::vector<NodeSelectorTerm>& terms, const NodeInfo& node) {
  for (const NodeSelectorTerm& t : terms) {
    if (t.Matches(node.node().labels, node.name())) return true;
  }
  return false;
}

int64_t SumMatchingWeights(const std::vector<PreferredSchedulingTerm>& terms, const NodeInfo& node) {
  int64_t sum = 0;
  for (const PreferredSchedulingTerm& t : terms) {
    if (t.preference.Matches(node.node().labels, node.name())) sum += t.weight;
  }
  return sum;
}

// Whether every required term pins node names with `metadata.name In` and those sets have
// nothing in common with any node: upstream's PreFilter then fails the pod outright.
bool NodeNameTermsConflict(const PodInfo& pod) {
  if (!pod.has_required_node_affinity || pod.required_node_affinity.empty()) return false;
  for (const NodeSelectorTerm& term : pod.required_node_affinity) {
    std::optional<std::set<std::string>> names;
    for (const NodeSelectorRequirement& r : term.match_fields) {
      if (r.key != "metadata.name" || r.op != "In") continue;
      std::set<std::string> these(r.values.begin(), r.values.end());
      if (!names.has_value()) {
        names = std::move(these);
      } else {
        std::set<std::string> both;
        for (const std::string& n : *names) {
          if (these.count(n) > 0) both.insert(n);
        }
        names = std::move(both);
      }
    }
    // A term without node names allows every node; a term with some allows those.
    if (!names.has_value() || !names->empty()) return false;
  }
  return true;
}

class NodeAffinity final : public PreFilterPlugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  NodeAffinity(std::optional<std::vector<NodeSelectorTerm>> added_required,
               std::vector<PreferredSchedulingTerm> added_preferred)
      : added_required_(std::move(added_required)), added_preferred_(std::move(added_preferred)) {}

  std::string_view Name() const override { return "NodeAffinity"; }

  Status PreFilter(CycleState& /*state*/, const PodInfo& pod, const Snapshot& /*snapshot*/) const override {
    if (!pod.has_required_node_affinity && pod.node_selector.empty() && !added_required_.has_value()) {
      return Status::Skip();
    }
    if (NodeNameTermsConflict(pod)) return Status::Unresolvable(std::string(kErrReasonConflict));
    return Status();
  }

  Status Filter(const CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) const override {
    if (added_required_.has_value() && !AnyTermMatches(*added_required_, node)) {
      return Status::Unresolvable(std::string(kErrReasonEnforced));
    }
    if (!pod.MatchesNodeSelection(node.node().labels, node.name())) {
      return Status::Unresolvable(std::string(kErrReasonPod));
    }
    return Status();
  }

  Status PreScore(CycleState& /*state*/, const PodInfo& pod, const Snapshot& /*snapshot*/,
                  const std::vector<const NodeInfo*>& /*nodes*/) const override {
    if (pod.preferred_node_affinity.empty() && added_preferred_.empty()) return Status::Skip();
    return Status();
  }

  int64_t Score(const CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) const override {
    return SumMatchingWeights(added_preferred_, node) + SumMatchingWeights(pod.preferred_node_affinity, node);
  }

  void NormalizeScore(const CycleState& /*state*/, const PodInfo& /*pod*/,
                      std::vector<NodeScore>& scores) const override {
    DefaultNormalizeScore(/*reverse=*/false, scores);
  }

 private:
  std::optional<std::vector<NodeSelectorTerm>> added_required_;
  std::vector<PreferredSchedulingTerm> added_preferred_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewNodeAffinity(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckTopLevel(args, "NodeAffinityArgs", {"addedAffinity"}));
  std::optional<std::vector<NodeSelectorTerm>> added_required;
  std::vector<PreferredSchedulingTerm> added_preferred;
  const json::Value* added = args != nullptr ? args->Find("addedAffinity") : nullptr;
  if (added != nullptr && !added->is_null()) {
    RETURN_IF_ERROR(args::CheckNested(
        *added, "addedAffinity",
        {"requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"}));
    const json::Value* required = added->Find("requiredDuringSchedulingIgnoredDuringExecution");
    if (required != nullptr && !required->is_null()) {
      const std::string path = "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution";
      RETURN_IF_ERROR(args::CheckNested(*required, path, {"nodeSelectorTerms"}));
      ASSIGN_OR_RETURN(std::vector<NodeSelectorTerm> terms, spec::ParseNodeSelector(*required, path, /*strict=*/true));
      added_required = std::move(terms);
    }
    ASSIGN_OR_RETURN(added_preferred, spec::ParsePreferredSchedulingTerms(
                                          added->Find("preferredDuringSchedulingIgnoredDuringExecution"),
                                          "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution"));
  }
  return std::unique_ptr<Plugin>(new NodeAffinity(std::move(added_required), std::move(added_preferred)));
}

}  // namespace cubelet::scheduler
