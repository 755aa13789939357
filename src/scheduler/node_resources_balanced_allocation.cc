// NodeResourcesBalancedAllocation (upstream noderesources/balanced_allocation.go): favours nodes
// whose resource fractions (requested / allocatable, the pod included, capped at 1) are close
// to each other: score = (1 - standard deviation of the fractions) × 100. It counts actual
// requests, not the 100m / 200Mi defaults NodeResourcesFit scores with.
#include <cmath>
#include <set>

#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"
#include "scheduler/resource_allocation.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kPreScoreKey = "PreScoreNodeResourcesBalancedAllocation";

struct PreScoreState final : StateData {
  std::vector<int64_t> pod_requests;
};

// Upstream's balancedResourceScorer.
int64_t BalancedResourceScore(const std::vector<int64_t>& requested, const std::vector<int64_t>& allocatable) {
  std::vector<double> fractions;
  double total = 0;
  for (size_t i = 0; i < requested.size(); ++i) {
    if (allocatable[i] == 0) continue;
    double fraction = static_cast<double>(requested[i]) / static_cast<double>(allocatable[i]);
    if (fraction > 1) fraction = 1;
    total += fraction;
    fractions.push_back(fraction);
  }
  double std_dev = 0;
  if (fractions.size() == 2) {
    // The two-resource case, exactly as upstream computes it.
    std_dev = std::abs((fractions[0] - fractions[1]) / 2);
  } else if (fractions.size() > 2) {
    const double mean = total / static_cast<double>(fractions.size());
    double sum = 0;
    for (double f : fractions) sum += (f - mean) * (f - mean);
    std_dev = std::sqrt(sum / static_cast<double>(fractions.size()));
  }
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

class NodeResourcesBalancedAllocation final : public PreScorePlugin, public ScorePlugin {
 public:
  explicit NodeResourcesBalancedAllocation(std::vector<args::ResourceSpec> resources)
      : resources_(std::move(resources)) {}

  std::string_view Name() const override { return "NodeResourcesBalancedAllocation"; }

  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& /*snapshot*/,
                  const std::vector<const NodeInfo*>& /*nodes*/) const override {
    auto data = std::make_shared<PreScoreState>();
    data->pod_requests = PodRequestList(pod, resources_, /*use_requested=*/true);
    state.Write(std::string(kPreScoreKey), std::move(data));
    return Status();
  }

  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const PreScoreState* data = state.Read<PreScoreState>(kPreScoreKey);
    const std::vector<int64_t> pod_requests =
        data != nullptr ? data->pod_requests : PodRequestList(pod, resources_, /*use_requested=*/true);
    const AllocationVectors v = NodeAllocation(node, resources_, pod_requests, /*use_requested=*/true);
    return BalancedResourceScore(v.requested, v.allocatable);
  }

 private:
  std::vector<args::ResourceSpec> resources_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewNodeResourcesBalancedAllocation(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckTopLevel(args, "NodeResourcesBalancedAllocationArgs", {"resources"}));
  std::vector<args::ResourceSpec> resources;
  if (args != nullptr && !args->is_null()) {
    ASSIGN_OR_RETURN(resources, args::ParseResourceSpecs(args->Find("resources"), "resources"));
  }
  // Upstream's defaults: cpu and memory; weight 0 means 1, and 1 is the only weight allowed.
  if (resources.empty()) resources = {{"cpu", 1}, {"memory", 1}};
  std::set<std::string> seen;
  for (size_t i = 0; i < resources.size(); ++i) {
    if (resources[i].weight == 0) resources[i].weight = 1;
    if (!seen.insert(resources[i].name).second) {
      return absl::InvalidArgumentError(
          StrCat("resources[", i, "].name: Duplicate value: \"", resources[i].name, "\""));
    }
    if (resources[i].weight != 1) {
      return absl::InvalidArgumentError(
          StrCat("resources[", i, "].weight: Invalid value: ", resources[i].weight, ": must be 1"));
    }
  }
  return std::unique_ptr<Plugin>(new NodeResourcesBalancedAllocation(std::move(resources)));
}

}  // namespace cubelet::scheduler
