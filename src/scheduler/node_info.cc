// NodeSpecInfo parsing, NodeInfo's accounting of the pods on a node (upstream
// framework.NodeInfo.AddPod / RemovePod / update) and Snapshot lookups.
#include "scheduler/node_info.h"

#include <algorithm>
#include <atomic>

#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/spec_fields.h"

namespace cubelet::scheduler {
namespace {

// Generations come from one counter for all nodes, as upstream's nextGeneration does, so a
// NodeInfo rebuilt for a re-added node never repeats a generation a snapshot has seen.
int64_t NextGeneration() {
  static std::atomic<int64_t> generation{0};
  return generation.fetch_add(1, std::memory_order_relaxed) + 1;
}

bool HasAffinity(const PodInfo& pod) {
  return !pod.required_affinity.empty() || !pod.preferred_affinity.empty() || !pod.required_anti_affinity.empty() ||
         !pod.preferred_anti_affinity.empty();
}

// Upstream's HostPortInfo.Add keeps a set: a port already there is not added twice.
void AddPorts(const PodInfo& pod, std::vector<HostPort>& used) {
  for (const HostPort& hp : pod.host_ports) {
    if (hp.port <= 0) continue;
    const bool present = std::any_of(used.begin(), used.end(), [&](const HostPort& u) {
      return u.port == hp.port && u.protocol == hp.protocol && u.host_ip == hp.host_ip;
    });
    if (!present) used.push_back(hp);
  }
}

}  // namespace

absl::StatusOr<NodeSpecInfo> NodeSpecInfo::FromObject(const json::Value& node) {
  if (!node.is_object()) return absl::InvalidArgumentError("node: expected an object");
  static const json::Value kEmpty = json::Value::EmptyObject();
  NodeSpecInfo out;
  ASSIGN_OR_RETURN(const json::Value* metadata, spec::Member(node, "metadata", json::Type::kObject, ""));
  const json::Value& meta = metadata != nullptr ? *metadata : kEmpty;
  ASSIGN_OR_RETURN(out.name, spec::StringMember(meta, "name", "metadata"));
  ASSIGN_OR_RETURN(out.labels, spec::StringMapMember(meta, "labels", "metadata"));

  ASSIGN_OR_RETURN(const json::Value* spec_value, spec::Member(node, "spec", json::Type::kObject, ""));
  const json::Value& node_spec = spec_value != nullptr ? *spec_value : kEmpty;
  ASSIGN_OR_RETURN(out.taints, spec::ParseTaints(node_spec.Find("taints"), "spec.taints"));
  ASSIGN_OR_RETURN(out.unschedulable, spec::BoolMember(node_spec, "unschedulable", "spec"));

  ASSIGN_OR_RETURN(const json::Value* status_value, spec::Member(node, "status", json::Type::kObject, ""));
  const json::Value& status = status_value != nullptr ? *status_value : kEmpty;
  // The API server defaults allocatable to capacity; a node written without either has none.
  const json::Value* allocatable = status.Find("allocatable");
  std::string_view allocatable_field = "status.allocatable";
  if (allocatable == nullptr || allocatable->is_null()) {
    allocatable = status.Find("capacity");
    allocatable_field = "status.capacity";
  }
  ASSIGN_OR_RETURN(out.allocatable, Resource::FromResourceList(allocatable, allocatable_field));

  ASSIGN_OR_RETURN(std::vector<const json::Value*> images, spec::ObjectListMember(status, "images", "status"));
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string path = spec::IndexPath("status.images", i);
    ASSIGN_OR_RETURN(std::vector<std::string> names, spec::StringListMember(*images[i], "names", path));
    ASSIGN_OR_RETURN(std::optional<int64_t> size, spec::IntMember(*images[i], "sizeBytes", path));
    for (std::string& name : names) out.image_sizes[std::move(name)] = size.value_or(0);
  }
  return out;
}

void NodeInfo::AddPod(PodInfoPtr pod) {
  requested_.Add(pod->requests);
  non_zero_requested_.Add(pod->non_zero_requests);
  AddPorts(*pod, used_ports_);
  if (HasAffinity(*pod)) pods_with_affinity_.push_back(pod);
  if (!pod->required_anti_affinity.empty()) pods_with_required_anti_affinity_.push_back(pod);
  pods_.push_back(std::move(pod));
  generation_ = NextGeneration();
}

bool NodeInfo::RemovePod(std::string_view uid) {
  auto it = std::find_if(pods_.begin(), pods_.end(), [&](const PodInfoPtr& p) { return p->uid == uid; });
  if (it == pods_.end()) return false;
  pods_.erase(it);
  Recount();
  return true;
}

// Rebuilt from the pods rather than subtracted, so the sums cannot drift from what is here and
// a port two pods happened to share stays in use while one of them remains.
void NodeInfo::Recount() {
  pods_with_affinity_.clear();
  pods_with_required_anti_affinity_.clear();
  requested_ = Resource{};
  non_zero_requested_ = Resource{};
  used_ports_.clear();
  for (const PodInfoPtr& pod : pods_) {
    requested_.Add(pod->requests);
    non_zero_requested_.Add(pod->non_zero_requests);
    AddPorts(*pod, used_ports_);
    if (HasAffinity(*pod)) pods_with_affinity_.push_back(pod);
    if (!pod->required_anti_affinity.empty()) pods_with_required_anti_affinity_.push_back(pod);
  }
  generation_ = NextGeneration();
}

const NodeInfo* Snapshot::Get(std::string_view name) const {
  auto it = node_index.find(name);
  if (it == node_index.end() || it->second < 0 || static_cast<size_t>(it->second) >= nodes.size()) return nullptr;
  return nodes[it->second].get();
}

}  // namespace cubelet::scheduler
