// TaintToleration (upstream tainttoleration): Filter rejects a node with a NoSchedule or
// NoExecute taint the pod does not tolerate; Score counts the PreferNoSchedule taints the pod
// does not tolerate, and NormalizeScore reverses it so fewer such taints rank higher.
#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kPreScoreKey = "PreScoreTaintToleration";

struct PreScoreState final : StateData {
  // The pod's tolerations that can tolerate a PreferNoSchedule taint (that effect, or any).
  std::vector<Toleration> prefer_no_schedule;
};

class TaintToleration final : public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  std::string_view Name() const override { return "TaintToleration"; }

  Status Filter(const CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) const override {
    for (const Taint& taint : node.node().taints) {
      if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") continue;
      if (!Tolerated(pod.tolerations, taint)) {
        return Status::Unresolvable(StrCat("node(s) had untolerated taint {", taint.key, ": ", taint.value, "}"));
      }
    }
    return Status();
  }

  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& /*snapshot*/,
                  const std::vector<const NodeInfo*>& /*nodes*/) const override {
    auto data = std::make_shared<PreScoreState>();
    for (const Toleration& t : pod.tolerations) {
      if (t.effect.empty() || t.effect == "PreferNoSchedule") data->prefer_no_schedule.push_back(t);
    }
    state.Write(std::string(kPreScoreKey), std::move(data));
    return Status();
  }

  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const PreScoreState* data = state.Read<PreScoreState>(kPreScoreKey);
    const std::vector<Toleration>& tolerations = data != nullptr ? data->prefer_no_schedule : pod.tolerations;
    int64_t intolerable = 0;
    for (const Taint& taint : node.node().taints) {
      if (taint.effect == "PreferNoSchedule" && !Tolerated(tolerations, taint)) ++intolerable;
    }
    return intolerable;
  }

  void NormalizeScore(const CycleState& /*state*/, const PodInfo& /*pod*/,
                      std::vector<NodeScore>& scores) const override {
    DefaultNormalizeScore(/*reverse=*/true, scores);
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewTaintToleration(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckNoArgs(args, "TaintToleration"));
  return std::unique_ptr<Plugin>(new TaintToleration());
}

}  // namespace cubelet::scheduler
