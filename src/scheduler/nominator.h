// Owns: the pods nominated to a node by preemption, waiting for their victims to go (upstream's
// nominator in the scheduling queue), and filtering with them: a node passes for a pod only if
// it still passes with the nominated pods of equal or higher priority counted on it (upstream's
// RunFilterPluginsWithNominatedPods), so a lower-priority pod cannot take the room a preemption
// freed and two preemptors do not count the same room twice. Nominations come from preemption
// results and from pending pods' status.nominatedNodeName; a pod bound, deleted or renominated
// leaves its old node.
// Does not own: plugin state (PreFilter state is not updated for nominated pods, as upstream's
// AddPod extensions would; resources, ports and taints are node-level and are counted).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/profile.h"

namespace cubelet::scheduler {

// Thread-safe.
class Nominator {
 public:
  // Records `pod` (its nominated_node_name, or the given node) as nominated; "" removes it.
  void Nominate(const PodInfoPtr& pod, const std::string& node);
  void Remove(const std::string& uid);

  // Filters `pod` on `node`, with the pods nominated there that are at least as important
  // (and are not `pod`) counted first.
  Status RunFilterWithNominatedPods(const Profile& profile, const CycleState& state, const PodInfo& pod,
                                    const NodeInfo& node, const Profile::Skips& skips) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::vector<PodInfoPtr>, std::less<>> by_node_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string, std::less<>> node_of_ ABSL_GUARDED_BY(mu_);  // uid -> node
};

}  // namespace cubelet::scheduler
