#include "scheduler/cache.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"

namespace cubelet::scheduler {

Cache::Cache(const Clock* clock, absl::Duration assumed_ttl) : clock_(clock), assumed_ttl_(assumed_ttl) {}

NodeInfo& Cache::MutableNode(const std::string& name) {
  NodeEntry& entry = nodes_[name];
  if (entry.info == nullptr) {
    auto spec = std::make_shared<NodeSpecInfo>();
    spec->name = name;
    entry.info = std::make_shared<NodeInfo>(std::move(spec));
  } else if (entry.info.use_count() > 1) {
    // The snapshot a cycle may be reading holds this one: copy on write.
    entry.info = std::make_shared<NodeInfo>(*entry.info);
  }
  dirty_.insert(name);
  return *entry.info;
}

void Cache::AddPodLocked(PodInfoPtr pod) {
  MutableNode(pod->node_name).AddPod(pod);
}

void Cache::RemovePodLocked(const PodInfo& pod) {
  auto it = nodes_.find(pod.node_name);
  if (it == nodes_.end()) return;
  MutableNode(pod.node_name).RemovePod(pod.uid);
  // A node deleted from the API stays while pods reference it; the last one takes it along.
  if (!it->second.has_spec && it->second.info->pods().empty()) {
    nodes_.erase(it);
    ++layout_generation_;
  }
}

absl::Status Cache::AssumePod(PodInfoPtr pod) {
  absl::MutexLock lock(&mu_);
  if (pod->node_name.empty()) return absl::InvalidArgumentError(StrCat("pod ", pod->Key(), " has no node to assume"));
  if (pods_.contains(pod->uid)) return absl::AlreadyExistsError(StrCat("pod ", pod->Key(), " is already in the cache"));
  AddPodLocked(pod);
  const std::string uid = pod->uid;
  pods_[uid] = PodState{std::move(pod), true, false, absl::InfiniteFuture()};
  return absl::OkStatus();
}

void Cache::FinishBinding(std::string_view uid) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.assumed) return;
  it->second.binding_finished = true;
  it->second.deadline = clock_->Now() + assumed_ttl_;
}

void Cache::ForgetPod(std::string_view uid) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.assumed) return;
  RemovePodLocked(*it->second.pod);
  pods_.erase(it);
}

Cache::Previous Cache::AddPod(PodInfoPtr pod) {
  absl::MutexLock lock(&mu_);
  Previous previous;
  auto it = pods_.find(pod->uid);
  if (it != pods_.end()) {
    previous = Previous{it->second.pod, it->second.assumed};
    // Confirms an assumed pod (or repeats a known one after a relist): replace it, on the node
    // the API says.
    RemovePodLocked(*it->second.pod);
    pods_.erase(it);
  }
  AddPodLocked(pod);
  const std::string uid = pod->uid;
  pods_[uid] = PodState{std::move(pod), false, false, absl::InfiniteFuture()};
  return previous;
}

void Cache::RemovePod(std::string_view uid) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  RemovePodLocked(*it->second.pod);
  pods_.erase(it);
}

bool Cache::IsAssumed(std::string_view uid) const {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(uid);
  return it != pods_.end() && it->second.assumed;
}

bool Cache::AddOrUpdateNode(std::shared_ptr<const NodeSpecInfo> node) {
  absl::MutexLock lock(&mu_);
  const std::string name = node->name;
  auto existing = nodes_.find(name);
  const bool known = existing != nodes_.end() && existing->second.has_spec;
  if (known) {
    const NodeSpecInfo& old = existing->second.info->node();
    // Nodes post status every few seconds; most posts change nothing the scheduler reads.
    if (old.labels == node->labels && old.taints == node->taints && old.unschedulable == node->unschedulable &&
        old.allocatable == node->allocatable && old.image_sizes == node->image_sizes) {
      return false;
    }
    if (old.image_sizes != node->image_sizes) images_changed_ = true;
  }
  NodeInfo& info = MutableNode(name);
  info.SetNode(std::move(node));
  nodes_[name].has_spec = true;
  if (!known) ++layout_generation_;  // a new node: the node list changes
  return true;
}

void Cache::RemoveNode(std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  if (it->second.info->pods().empty()) {
    nodes_.erase(it);
  } else {
    it->second.has_spec = false;  // kept for its pods' accounting until they go
  }
  ++layout_generation_;
}

void Cache::SetNamespaceLabels(const std::string& namespace_, selectors::Labels labels) {
  absl::MutexLock lock(&mu_);
  namespaces_[namespace_] = std::move(labels);
  ++layout_generation_;
}

void Cache::RemoveNamespace(std::string_view namespace_) {
  absl::MutexLock lock(&mu_);
  if (auto it = namespaces_.find(namespace_); it != namespaces_.end()) {
    namespaces_.erase(it);
    ++layout_generation_;
  }
}

void Cache::SetService(const std::string& namespace_, const std::string& name, selectors::Labels selector) {
  absl::MutexLock lock(&mu_);
  selectors::Labels& current = services_[namespace_][name];
  if (current == selector) return;  // most Service updates change nothing the scheduler reads
  current = std::move(selector);
  ++layout_generation_;
}

void Cache::RemoveService(const std::string& namespace_, const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto ns = services_.find(namespace_);
  if (ns == services_.end() || ns->second.erase(name) == 0) return;
  if (ns->second.empty()) services_.erase(ns);
  ++layout_generation_;
}

void Cache::CleanupExpiredAssumedPods() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  for (auto it = pods_.begin(); it != pods_.end();) {
    if (it->second.assumed && it->second.binding_finished && it->second.deadline < now) {
      RemovePodLocked(*it->second.pod);
      it = pods_.erase(it);
    } else {
      ++it;
    }
  }
}

namespace {

// `now` replaces `before` (the same node) in `list`, the snapshot's nodes for which `pods` is not
// empty. True when the node enters or leaves the list: the list must then be rebuilt in order.
bool SwapListed(std::vector<NodeInfoPtr>& list, const NodeInfoPtr& before, const NodeInfoPtr& now,
                const std::vector<PodInfoPtr>& (NodeInfo::*pods)() const) {
  const bool was = !((*before).*pods)().empty();
  const bool is = !((*now).*pods)().empty();
  if (was != is) return true;
  if (is) std::replace(list.begin(), list.end(), before, now);
  return false;
}

}  // namespace

void Cache::UpdateSnapshot(Snapshot* snapshot) {
  absl::MutexLock lock(&mu_);
  const bool relayout = snapshot->generation != layout_generation_;
  bool lists_changed = relayout;
  if (relayout) {
    snapshot->nodes.clear();
    snapshot->node_index.clear();
    for (const auto& [name, entry] : nodes_) {
      if (!entry.has_spec) continue;
      snapshot->node_index[name] = static_cast<int>(snapshot->nodes.size());
      snapshot->nodes.push_back(entry.info);
    }
    snapshot->namespace_labels = namespaces_;
    snapshot->service_selectors.clear();
    for (const auto& [ns, services] : services_) {
      std::vector<selectors::Labels>& selectors = snapshot->service_selectors[ns];
      for (const auto& [name, selector] : services) selectors.push_back(selector);
    }
    snapshot->generation = layout_generation_;
  } else if (!dirty_.empty()) {
    for (const std::string& name : dirty_) {
      auto index = snapshot->node_index.find(name);
      auto entry = nodes_.find(name);
      if (index == snapshot->node_index.end() || entry == nodes_.end()) continue;
      NodeInfoPtr& slot = snapshot->nodes[static_cast<size_t>(index->second)];
      // Most changes (a pod bound) leave a node in or out of the affinity lists as it was:
      // then only its entry there is swapped, instead of a walk over every node per cycle.
      lists_changed |= SwapListed(snapshot->have_pods_with_affinity, slot, entry->second.info,
                                  &NodeInfo::pods_with_affinity);
      lists_changed |= SwapListed(snapshot->have_pods_with_required_anti_affinity, slot, entry->second.info,
                                  &NodeInfo::pods_with_required_anti_affinity);
      slot = entry->second.info;
    }
  } else {
    return;
  }
  if (relayout || images_changed_) {
    snapshot->images.clear();
    for (const NodeInfoPtr& node : snapshot->nodes) {
      for (const auto& [image, size] : node->node().image_sizes) {
        ImageState& state = snapshot->images[image];
        state.size_bytes = size;
        ++state.num_nodes;
      }
    }
    images_changed_ = false;
  }
  dirty_.clear();
  if (!lists_changed) return;
  snapshot->have_pods_with_affinity.clear();
  snapshot->have_pods_with_required_anti_affinity.clear();
  for (const NodeInfoPtr& node : snapshot->nodes) {
    if (!node->pods_with_affinity().empty()) snapshot->have_pods_with_affinity.push_back(node);
    if (!node->pods_with_required_anti_affinity().empty()) {
      snapshot->have_pods_with_required_anti_affinity.push_back(node);
    }
  }
}

size_t Cache::NodeCount() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [name, entry] : nodes_) n += entry.has_spec ? 1 : 0;
  return n;
}

size_t Cache::PodCount() const {
  absl::MutexLock lock(&mu_);
  return pods_.size();
}

}  // namespace cubelet::scheduler
