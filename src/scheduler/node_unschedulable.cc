// NodeUnschedulable (upstream nodeunschedulable): a cordoned node (spec.unschedulable) takes
// only pods that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.
#include "common/status_macros.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"

namespace cubelet::scheduler {
namespace {

class NodeUnschedulable final : public FilterPlugin {
 public:
  std::string_view Name() const override { return "NodeUnschedulable"; }

  Status Filter(const CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) const override {
    if (!node.node().unschedulable) return Status();
    static const Taint* kUnschedulable = [] {
      auto* taint = new Taint();
      taint->key = "node.kubernetes.io/unschedulable";
      taint->effect = "NoSchedule";
      return taint;
    }();
    if (Tolerated(pod.tolerations, *kUnschedulable)) return Status();
    return Status::Unresolvable("node(s) were unschedulable");
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewNodeUnschedulable(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckNoArgs(args, "NodeUnschedulable"));
  return std::unique_ptr<Plugin>(new NodeUnschedulable());
}

}  // namespace cubelet::scheduler
