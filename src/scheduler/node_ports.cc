// NodePorts (upstream nodeports): a pod's host ports must be free on the node. A port bound on
// 0.0.0.0 conflicts with the same protocol and port on any address; a port on a specific
// address conflicts with that address or 0.0.0.0.
#include "common/status_macros.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"

namespace cubelet::scheduler {
namespace {

bool IsWildcard(std::string_view ip) { return ip.empty() || ip == "0.0.0.0"; }
std::string_view Protocol(std::string_view p) { return p.empty() ? std::string_view("TCP") : p; }

// Upstream's HostPortInfo.CheckConflict.
bool Conflicts(const HostPort& want, const std::vector<HostPort>& used) {
  if (want.port <= 0) return false;
  for (const HostPort& u : used) {
    if (u.port != want.port || Protocol(u.protocol) != Protocol(want.protocol)) continue;
    if (IsWildcard(want.host_ip) || IsWildcard(u.host_ip) || u.host_ip == want.host_ip) return true;
  }
  return false;
}

class NodePorts final : public PreFilterPlugin, public FilterPlugin {
 public:
  std::string_view Name() const override { return "NodePorts"; }

  // The pod's host ports are already in PodInfo; without any, Filter has nothing to check.
  Status PreFilter(CycleState& /*state*/, const PodInfo& pod, const Snapshot& /*snapshot*/) const override {
    return pod.host_ports.empty() ? Status::Skip() : Status();
  }

  Status Filter(const CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) const override {
    for (const HostPort& want : pod.host_ports) {
      if (Conflicts(want, node.used_ports())) {
        return Status::Unschedulable("node(s) didn't have free ports for the requested pod ports");
      }
    }
    return Status();
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewNodePorts(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckNoArgs(args, "NodePorts"));
  return std::unique_ptr<Plugin>(new NodePorts());
}

}  // namespace cubelet::scheduler
