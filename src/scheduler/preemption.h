// Owns: upstream's DefaultPreemption PostFilter for a pod that fits nowhere: the nodes where
// removing lower-priority pods could help (rejected as Unschedulable, not Unresolvable), the
// fewest victims on each (all lower-priority pods removed, then as many as possible given back,
// highest priority first, while the pod still fits), and the node whose victims matter least
// (lowest highest-priority victim, then lowest sum of priorities, then fewest victims). As
// upstream, the dry run starts at `offset` and stops once max(10 %, 100) nodes could take the
// pod. PodDisruptionBudgets are not consulted.
// Does not own: deleting the victims and nominating the node (scheduler.cc does both through
// the client).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scheduler/framework.h"
#include "scheduler/profile.h"

namespace cubelet::scheduler {

struct PreemptionResult {
  // False when the pod may not preempt now (preemptionPolicy Never, or its earlier victims are
  // still terminating): its nominated node stays as it is.
  bool eligible = true;
  std::string node;  // empty: no node (an earlier nomination is cleared)
  std::vector<PodInfoPtr> victims;
  // Upstream's PostFilter message ("preemption: 0/3 nodes are available: 1 No preemption victims
  // found for incoming pod, 2 Preemption is not helpful for scheduling."), also set on success.
  std::string message;
};

PreemptionResult Preempt(const Profile& profile, const PodInfo& pod, const Snapshot& snapshot,
                         const std::map<std::string, Status, std::less<>>& rejections, size_t offset);

}  // namespace cubelet::scheduler
