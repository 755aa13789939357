#include "scheduler/nominator.h"

#include <algorithm>
#include <memory>

namespace cubelet::scheduler {

void Nominator::Nominate(const PodInfoPtr& pod, const std::string& node) {
  absl::MutexLock lock(&mu_);
  if (auto it = node_of_.find(pod->uid); it != node_of_.end()) {
    std::vector<PodInfoPtr>& pods = by_node_[it->second];
    std::erase_if(pods, [&](const PodInfoPtr& p) { return p->uid == pod->uid; });
    if (pods.empty()) by_node_.erase(it->second);
    node_of_.erase(it);
  }
  if (node.empty()) return;
  auto nominated = std::make_shared<PodInfo>(*pod);
  nominated->node_name = node;  // counts there as if bound
  by_node_[node].push_back(std::move(nominated));
  node_of_[pod->uid] = node;
}

void Nominator::Remove(const std::string& uid) {
  absl::MutexLock lock(&mu_);
  auto it = node_of_.find(uid);
  if (it == node_of_.end()) return;
  std::vector<PodInfoPtr>& pods = by_node_[it->second];
  std::erase_if(pods, [&](const PodInfoPtr& p) { return p->uid == uid; });
  if (pods.empty()) by_node_.erase(it->second);
  node_of_.erase(it);
}

Status Nominator::RunFilterWithNominatedPods(const Profile& profile, const CycleState& state, const PodInfo& pod,
                                             const NodeInfo& node, const Profile::Skips& skips) const {
  std::vector<PodInfoPtr> ahead;
  {
    absl::MutexLock lock(&mu_);
    auto it = by_node_.find(node.name());
    if (it != by_node_.end()) {
      for (const PodInfoPtr& p : it->second) {
        if (p->uid != pod.uid && p->priority >= pod.priority) ahead.push_back(p);
      }
    }
  }
  if (ahead.empty()) return profile.RunFilter(state, pod, node, skips);
  NodeInfo with = node;
  for (const PodInfoPtr& p : ahead) with.AddPod(p);
  Status s = profile.RunFilter(state, pod, with, skips);
  if (!s.ok()) return s;
  // As upstream, the node must also pass without them (they may never arrive).
  return profile.RunFilter(state, pod, node, skips);
}

}  // namespace cubelet::scheduler
