// NodeResourcesFit (upstream noderesources/fit.go and its scoring strategies): Filter checks
// the pod count and every requested resource against allocatable minus what the node's pods
// request; Score rates the node by LeastAllocated (the default), MostAllocated or
// RequestedToCapacityRatio over the configured resources, counting pods without cpu/memory
// requests at 100m / 200Mi.
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"
#include "scheduler/resource_allocation.h"
#include "scheduler/spec_fields.h"
#include "selectors/label_validation.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kPreScoreKey = "PreScoreNodeResourcesFit";
constexpr int64_t kMaxUtilization = 100;
constexpr int64_t kMaxCustomPriorityScore = 10;

struct ShapePoint {
  int64_t utilization = 0;
  int64_t score = 0;
};

using Scorer = std::function<int64_t(const std::vector<int64_t>& requested, const std::vector<int64_t>& allocatable)>;

int64_t LeastRequestedScore(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

int64_t MostRequestedScore(int64_t requested, int64_t capacity) {
  if (capacity == 0) return 0;
  // Requests may exceed capacity because pods without requests count with the defaults.
  if (requested > capacity) requested = capacity;
  return requested * kMaxNodeScore / capacity;
}

// The weighted mean of `per_resource` over the resources the node has, truncated.
Scorer WeightedMean(std::vector<args::ResourceSpec> resources, int64_t (*per_resource)(int64_t, int64_t)) {
  return [resources = std::move(resources), per_resource](const std::vector<int64_t>& requested,
                                                          const std::vector<int64_t>& allocatable) {
    int64_t node_score = 0, weight_sum = 0;
    for (size_t i = 0; i < requested.size(); ++i) {
      if (allocatable[i] == 0) continue;
      node_score += per_resource(requested[i], allocatable[i]) * resources[i].weight;
      weight_sum += resources[i].weight;
    }
    return weight_sum == 0 ? 0 : node_score / weight_sum;
  };
}

// Upstream's helper.BuildBrokenLinearFunction: linear between the shape's points, flat outside.
int64_t BrokenLinear(const std::vector<ShapePoint>& shape, int64_t p) {
  for (size_t i = 0; i < shape.size(); ++i) {
    if (p <= shape[i].utilization) {
      if (i == 0) return shape[0].score;
      return shape[i - 1].score + (shape[i].score - shape[i - 1].score) * (p - shape[i - 1].utilization) /
                                      (shape[i].utilization - shape[i - 1].utilization);
    }
  }
  return shape.back().score;
}

// Upstream's requestedToCapacityRatioScorer: shape scores (0..10) scaled to 0..100; resources
// scoring 0 are left out of the mean, which is rounded.
Scorer RequestedToCapacityRatio(std::vector<args::ResourceSpec> resources, std::vector<ShapePoint> shape) {
  for (ShapePoint& p : shape) p.score *= kMaxNodeScore / kMaxCustomPriorityScore;
  return [resources = std::move(resources), shape = std::move(shape)](const std::vector<int64_t>& requested,
                                                                      const std::vector<int64_t>& allocatable) {
    int64_t node_score = 0, weight_sum = 0;
    for (size_t i = 0; i < requested.size(); ++i) {
      if (allocatable[i] == 0) continue;
      const int64_t score = requested[i] > allocatable[i]
                                ? BrokenLinear(shape, kMaxUtilization)
                                : BrokenLinear(shape, requested[i] * kMaxUtilization / allocatable[i]);
      if (score > 0) {
        node_score += score * resources[i].weight;
        weight_sum += resources[i].weight;
      }
    }
    if (weight_sum == 0) return int64_t{0};
    return static_cast<int64_t>(std::round(static_cast<double>(node_score) / static_cast<double>(weight_sum)));
  };
}

// Upstream's v1helper.IsExtendedResourceName: only those can be ignored by name or group.
bool IsExtendedResourceName(std::string_view name) {
  if (name.find('/') == std::string_view::npos || name.find("kubernetes.io/") != std::string_view::npos) return false;
  if (name.substr(0, 9) == "requests.") return false;
  return selectors::IsQualifiedName(StrCat("requests.", name)).empty();
}

struct PreScoreState final : StateData {
  std::vector<int64_t> pod_requests;
};

class NodeResourcesFit final : public PreFilterPlugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  NodeResourcesFit(std::set<std::string, std::less<>> ignored, std::set<std::string, std::less<>> ignored_groups,
                   std::vector<args::ResourceSpec> resources, Scorer scorer)
      : ignored_(std::move(ignored)),
        ignored_groups_(std::move(ignored_groups)),
        resources_(std::move(resources)),
        scorer_(std::move(scorer)) {}

  std::string_view Name() const override { return "NodeResourcesFit"; }

  // The effective requests (upstream's computePodResourceRequest) are computed once when the
  // PodInfo is parsed; nothing is left to do per cycle.
  Status PreFilter(CycleState& /*state*/, const PodInfo& /*pod*/, const Snapshot& /*snapshot*/) const override {
    return Status();
  }

  Status Filter(const CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) const override {
    std::vector<std::string> reasons;
    const Resource& allocatable = node.node().allocatable;
    const Resource& used = node.requested();
    const Resource& want = pod.requests;
    if (static_cast<int64_t>(node.pods().size()) + 1 > allocatable.allowed_pod_number) {
      reasons.push_back("Too many pods");
    }
    const bool requests_nothing =
        want.milli_cpu == 0 && want.memory == 0 && want.ephemeral_storage == 0 &&
        std::all_of(want.scalar.begin(), want.scalar.end(), [](const auto& kv) { return kv.second == 0; });
    if (!requests_nothing) {
      if (want.milli_cpu > 0 && want.milli_cpu > allocatable.milli_cpu - used.milli_cpu) {
        reasons.push_back("Insufficient cpu");
      }
      if (want.memory > 0 && want.memory > allocatable.memory - used.memory) reasons.push_back("Insufficient memory");
      if (want.ephemeral_storage > 0 &&
          want.ephemeral_storage > allocatable.ephemeral_storage - used.ephemeral_storage) {
        reasons.push_back("Insufficient ephemeral-storage");
      }
      for (const auto& [name, quantity] : want.scalar) {
        if (quantity == 0 || Ignored(name)) continue;
        if (quantity > allocatable.Get(name) - used.Get(name)) reasons.push_back(StrCat("Insufficient ", name));
      }
    }
    if (reasons.empty()) return Status();
    return Status(Code::kUnschedulable, std::move(reasons));
  }

  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& /*snapshot*/,
                  const std::vector<const NodeInfo*>& /*nodes*/) const override {
    auto data = std::make_shared<PreScoreState>();
    data->pod_requests = PodRequestList(pod, resources_, /*use_requested=*/false);
    state.Write(std::string(kPreScoreKey), std::move(data));
    return Status();
  }

  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const PreScoreState* data = state.Read<PreScoreState>(kPreScoreKey);
    const std::vector<int64_t> pod_requests =
        data != nullptr ? data->pod_requests : PodRequestList(pod, resources_, /*use_requested=*/false);
    const AllocationVectors v = NodeAllocation(node, resources_, pod_requests, /*use_requested=*/false);
    return scorer_(v.requested, v.allocatable);
  }

 private:
  bool Ignored(std::string_view name) const {
    if (!IsExtendedResourceName(name)) return false;
    if (ignored_.count(name) > 0) return true;
    return !ignored_groups_.empty() && ignored_groups_.count(name.substr(0, name.find('/'))) > 0;
  }

  std::set<std::string, std::less<>> ignored_;
  std::set<std::string, std::less<>> ignored_groups_;
  std::vector<args::ResourceSpec> resources_;
  Scorer scorer_;
};

absl::StatusOr<std::vector<ShapePoint>> ParseShape(const json::Value& ratio, std::string_view path) {
  RETURN_IF_ERROR(args::CheckNested(ratio, path, {"shape"}));
  const std::string shape_path = spec::FieldPath(path, "shape");
  ASSIGN_OR_RETURN(std::vector<const json::Value*> points, spec::ObjectListMember(ratio, "shape", path));
  if (points.empty()) {
    return absl::InvalidArgumentError(StrCat(shape_path, ": Required value: at least one point must be specified"));
  }
  std::vector<ShapePoint> shape;
  for (size_t i = 0; i < points.size(); ++i) {
    const std::string point_path = spec::IndexPath(shape_path, i);
    RETURN_IF_ERROR(args::CheckNested(*points[i], point_path, {"utilization", "score"}));
    ASSIGN_OR_RETURN(std::optional<int64_t> utilization, spec::IntMember(*points[i], "utilization", point_path));
    ASSIGN_OR_RETURN(std::optional<int64_t> score, spec::IntMember(*points[i], "score", point_path));
    shape.push_back(ShapePoint{utilization.value_or(0), score.value_or(0)});
  }
  for (size_t i = 1; i < shape.size(); ++i) {
    if (shape[i - 1].utilization >= shape[i].utilization) {
      return absl::InvalidArgumentError(StrCat(spec::IndexPath(shape_path, i),
                                               ".utilization: Invalid value: ", shape[i].utilization,
                                               ": utilization values must be sorted in increasing order"));
    }
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i].utilization < 0 || shape[i].utilization > kMaxUtilization) {
      return absl::InvalidArgumentError(StrCat(spec::IndexPath(shape_path, i), ".utilization: Invalid value: ",
                                               shape[i].utilization, ": not in valid range [0, 100]"));
    }
    if (shape[i].score < 0 || shape[i].score > kMaxCustomPriorityScore) {
      return absl::InvalidArgumentError(StrCat(
          spec::IndexPath(shape_path, i), ".score: Invalid value: ", shape[i].score, ": not in valid range [0, 10]"));
    }
  }
  return shape;
}

absl::StatusOr<std::set<std::string, std::less<>>> ParseNames(const json::Value& object, std::string_view key,
                                                              bool groups) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, spec::StringListMember(object, key, ""));
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string path = spec::IndexPath(key, i);
    if (groups && names[i].find('/') != std::string::npos) {
      return absl::InvalidArgumentError(
          StrCat(path, ": Invalid value: \"", names[i], "\": resource group name can't contain '/'"));
    }
    if (std::vector<std::string> problems = selectors::IsQualifiedName(names[i]); !problems.empty()) {
      return absl::InvalidArgumentError(StrCat(path, ": Invalid value: \"", names[i], "\": ", problems[0]));
    }
  }
  return std::set<std::string, std::less<>>(names.begin(), names.end());
}

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewNodeResourcesFit(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckTopLevel(args, "NodeResourcesFitArgs",
                                      {"ignoredResources", "ignoredResourceGroups", "scoringStrategy"}));
  static const json::Value kEmpty = json::Value::EmptyObject();
  const json::Value& a = args != nullptr && !args->is_null() ? *args : kEmpty;
  ASSIGN_OR_RETURN(auto ignored, ParseNames(a, "ignoredResources", /*groups=*/false));
  ASSIGN_OR_RETURN(auto ignored_groups, ParseNames(a, "ignoredResourceGroups", /*groups=*/true));

  // Upstream's defaults: LeastAllocated over cpu and memory with weight 1; weight 0 means 1.
  std::string type = "LeastAllocated";
  std::vector<args::ResourceSpec> resources;
  const json::Value* ratio = nullptr;
  ASSIGN_OR_RETURN(const json::Value* strategy, spec::Member(a, "scoringStrategy", json::Type::kObject, ""));
  if (strategy != nullptr) {
    RETURN_IF_ERROR(args::CheckNested(*strategy, "scoringStrategy", {"type", "resources", "requestedToCapacityRatio"}));
    ASSIGN_OR_RETURN(type, spec::StringMember(*strategy, "type", "scoringStrategy"));
    ASSIGN_OR_RETURN(resources, args::ParseResourceSpecs(strategy->Find("resources"), "scoringStrategy.resources"));
    ASSIGN_OR_RETURN(ratio,
                     spec::Member(*strategy, "requestedToCapacityRatio", json::Type::kObject, "scoringStrategy"));
  }
  if (type != "LeastAllocated" && type != "MostAllocated" && type != "RequestedToCapacityRatio") {
    return absl::InvalidArgumentError(StrCat("scoringStrategy.type: Unsupported value: \"", type,
                                             "\": supported values: \"LeastAllocated\", \"MostAllocated\", "
                                             "\"RequestedToCapacityRatio\""));
  }
  if (resources.empty()) resources = {{"cpu", 1}, {"memory", 1}};
  for (size_t i = 0; i < resources.size(); ++i) {
    if (resources[i].weight == 0) resources[i].weight = 1;
    if (resources[i].weight < 0 || resources[i].weight > 100) {
      return absl::InvalidArgumentError(
          StrCat("scoringStrategy.resources[", i, "].weight: Invalid value: ", resources[i].weight,
                 ": resource weight of ", resources[i].name, " not in valid range (0, 100]"));
    }
  }

  Scorer scorer;
  if (type == "LeastAllocated") {
    scorer = WeightedMean(resources, LeastRequestedScore);
  } else if (type == "MostAllocated") {
    scorer = WeightedMean(resources, MostRequestedScore);
  } else {
    if (ratio == nullptr) {
      return absl::InvalidArgumentError(
          "scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified");
    }
    ASSIGN_OR_RETURN(std::vector<ShapePoint> shape, ParseShape(*ratio, "scoringStrategy.requestedToCapacityRatio"));
    scorer = RequestedToCapacityRatio(resources, std::move(shape));
  }
  return std::unique_ptr<Plugin>(
      new NodeResourcesFit(std::move(ignored), std::move(ignored_groups), std::move(resources), std::move(scorer)));
}

}  // namespace cubelet::scheduler
