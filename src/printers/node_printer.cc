// Nodes: NAME STATUS ROLES AGE VERSION, and with -o wide INTERNAL-IP EXTERNAL-IP OS-IMAGE
// KERNEL-VERSION CONTAINER-RUNTIME, as upstream printNode.
#include <map>
#include <set>

#include "absl/strings/str_join.h"
#include "printers/cells.h"
#include "printers/descriptions.h"
#include "printers/kinds.h"

namespace cubelet::printers {
namespace {

constexpr std::string_view kLabelNodeRolePrefix = "node-role.kubernetes.io/";
constexpr std::string_view kNodeLabelRole = "kubernetes.io/role";

// "Ready", "NotReady" or "Unknown" from the Ready condition (the last one listed wins), then
// ",SchedulingDisabled" for a cordoned node.
std::string NodeStatus(const json::Value& node) {
  std::map<std::string, std::string> condition_status;
  for (const json::Value& c : Arr(node, {"status", "conditions"})) {
    condition_status[Str(c, {"type"})] = Str(c, {"status"});
  }
  std::vector<std::string> status;
  if (auto it = condition_status.find("Ready"); it != condition_status.end()) {
    status.push_back(it->second == "True" ? "Ready" : "NotReady");
  }
  if (status.empty()) status.push_back("Unknown");
  if (Bool(node, {"spec", "unschedulable"})) status.push_back("SchedulingDisabled");
  return absl::StrJoin(status, ",");
}

// Roles from node-role.kubernetes.io/<role> labels and the older kubernetes.io/role=<role>.
std::string NodeRoles(const json::Value& node) {
  std::set<std::string> roles;
  for (const auto& [key, value] : StringMap(node, {"metadata", "labels"})) {
    if (key.starts_with(kLabelNodeRolePrefix)) {
      if (std::string role = key.substr(kLabelNodeRolePrefix.size()); !role.empty()) roles.insert(role);
    } else if (key == kNodeLabelRole && !value.empty()) {
      roles.insert(value);
    }
  }
  return roles.empty() ? "<none>" : absl::StrJoin(roles, ",");
}

std::string NodeAddress(const json::Value& node, std::string_view type) {
  for (const json::Value& a : Arr(node, {"status", "addresses"})) {
    if (Str(a, {"type"}) == type) return Str(a, {"address"});
  }
  return "<none>";
}

std::string OrUnknown(std::string s) { return s.empty() ? "<unknown>" : s; }

std::vector<json::Value> NodeCells(const json::Value& node, absl::Time now) {
  return {Str(node, {"metadata", "name"}),
          NodeStatus(node),
          NodeRoles(node),
          Age(node, now),
          Str(node, {"status", "nodeInfo", "kubeletVersion"}),
          NodeAddress(node, "InternalIP"),
          NodeAddress(node, "ExternalIP"),
          OrUnknown(Str(node, {"status", "nodeInfo", "osImage"})),
          OrUnknown(Str(node, {"status", "nodeInfo", "kernelVersion"})),
          OrUnknown(Str(node, {"status", "nodeInfo", "containerRuntimeVersion"}))};
}

Column Wide(std::string name, std::string_view description) {
  return MakeColumn(std::move(name), "string", description, 1);
}

}  // namespace

const TablePrinter& NodePrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          NameColumn(),
          MakeColumn("Status", "string", descriptions::kNodeStatus),
          MakeColumn("Roles", "string", descriptions::kNodeRoles),
          AgeColumn(),
          MakeColumn("Version", "string", descriptions::kKubeletVersion),
          Wide("Internal-IP", descriptions::kNodeAddresses),
          Wide("External-IP", descriptions::kNodeAddresses),
          Wide("OS-Image", descriptions::kOSImage),
          Wide("Kernel-Version", descriptions::kKernelVersion),
          Wide("Container-Runtime", descriptions::kContainerRuntimeVersion),
      },
      NodeCells);
  return *printer;
}

}  // namespace cubelet::printers
