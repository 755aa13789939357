// Owns: a node with the pods the scheduler counts on it (upstream framework.NodeInfo): its
// labels, taints, unschedulable flag, allocatable resources, image sizes, the pods bound or
// assumed there with the sum of their requests and host ports in use; and the Snapshot of all
// nodes one scheduling cycle reads (upstream's cache Snapshot), with the per-namespace labels
// that namespaceSelector terms need.
// Does not own: keeping NodeInfos up to date from watches and assumed pods (cache.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "scheduler/pod_info.h"
#include "scheduler/resource.h"
#include "selectors/selectors.h"

namespace cubelet::scheduler {

struct ImageState {
  int64_t size_bytes = 0;
  int num_nodes = 0;  // how many nodes have it (filled in by the snapshot)
};

struct NodeSpecInfo {
  std::string name;
  selectors::Labels labels;
  std::vector<Taint> taints;
  bool unschedulable = false;
  Resource allocatable;
  // Every name an image on the node is known by (repo tags and digests) and its size.
  std::map<std::string, int64_t, std::less<>> image_sizes;

  // Parses a Node object; an error names the field.
  static absl::StatusOr<NodeSpecInfo> FromObject(const json::Value& node);
};

class NodeInfo {
 public:
  explicit NodeInfo(std::shared_ptr<const NodeSpecInfo> node) : node_(std::move(node)) {}

  const NodeSpecInfo& node() const { return *node_; }
  const std::string& name() const { return node_->name; }
  void SetNode(std::shared_ptr<const NodeSpecInfo> node) { node_ = std::move(node); }

  const std::vector<PodInfoPtr>& pods() const { return pods_; }
  // Pods here with any required or preferred pod affinity / anti-affinity, and with required
  // anti-affinity: InterPodAffinity walks only these.
  const std::vector<PodInfoPtr>& pods_with_affinity() const { return pods_with_affinity_; }
  const std::vector<PodInfoPtr>& pods_with_required_anti_affinity() const { return pods_with_required_anti_affinity_; }
  const Resource& requested() const { return requested_; }
  const Resource& non_zero_requested() const { return non_zero_requested_; }
  const std::vector<HostPort>& used_ports() const { return used_ports_; }
  // Bumped by every change, so a snapshot copies only what changed.
  int64_t generation() const { return generation_; }

  void AddPod(PodInfoPtr pod);
  // False when no pod with that uid is here.
  bool RemovePod(std::string_view uid);

 private:
  void Recount();

  std::shared_ptr<const NodeSpecInfo> node_;
  std::vector<PodInfoPtr> pods_;
  std::vector<PodInfoPtr> pods_with_affinity_;
  std::vector<PodInfoPtr> pods_with_required_anti_affinity_;
  Resource requested_;
  Resource non_zero_requested_;
  std::vector<HostPort> used_ports_;
  int64_t generation_ = 0;
};

using NodeInfoPtr = std::shared_ptr<const NodeInfo>;

// What one scheduling cycle sees: immutable, shared by the plugins of the cycle.
struct Snapshot {
  std::vector<NodeInfoPtr> nodes;  // in a stable order (by name)
  std::map<std::string, int, std::less<>> node_index;  // name -> index in `nodes`
  // Nodes holding a pod with affinity / required anti-affinity (subsets of `nodes`).
  std::vector<NodeInfoPtr> have_pods_with_affinity;
  std::vector<NodeInfoPtr> have_pods_with_required_anti_affinity;
  // image name -> size and on how many nodes (ImageLocality's spread).
  std::map<std::string, ImageState, std::less<>> images;
  // namespace -> its labels (namespaceSelector); a namespace not here has no labels.
  std::map<std::string, selectors::Labels, std::less<>> namespace_labels;
  // namespace -> the spec.selector of each Service there (PodTopologySpread's system defaults
  // spread the pods a Service selects).
  std::map<std::string, std::vector<selectors::Labels>, std::less<>> service_selectors;
  // The cache's layout generation this snapshot reflects (cache.h).
  int64_t generation = 0;

  const NodeInfo* Get(std::string_view name) const;
};

}  // namespace cubelet::scheduler
