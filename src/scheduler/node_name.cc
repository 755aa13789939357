// NodeName (upstream nodename): a pod that names a node in spec.nodeName fits only there.
#include "common/status_macros.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"

namespace cubelet::scheduler {
namespace {

class NodeName final : public FilterPlugin {
 public:
  std::string_view Name() const override { return "NodeName"; }

  Status Filter(const CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) const override {
    if (pod.node_name.empty() || pod.node_name == node.name()) return Status();
    return Status::Unresolvable("node(s) didn't match the requested node name");
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewNodeName(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckNoArgs(args, "NodeName"));
  return std::unique_ptr<Plugin>(new NodeName());
}

}  // namespace cubelet::scheduler
