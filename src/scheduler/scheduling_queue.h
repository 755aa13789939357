// Owns: upstream's PriorityQueue (pkg/scheduler/backend/queue): the pods waiting to be
// scheduled, in three sets. activeQ, ordered by PrioritySort (higher spec.priority first, then
// the older creation, then the key); backoffQ, pods that failed with an error or whose
// unschedulable verdict was overtaken by a cluster change, waiting out a back-off of 1 s
// doubling per attempt up to 10 s; unschedulablePods, waiting for a cluster event that may
// make them fit (a node added or changed, a pod deleted or its node changed), and flushed to
// activeQ/backoffQ after 5 minutes at the latest. Pods with schedulingGates stay out of
// activeQ (in the unschedulable set, marked gated) until an update removes the gates.
// Does not own: deciding which events matter for which plugin (every listed event moves every
// unschedulable pod; upstream's finer queueing hints are an optimisation), the pods' contents.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "scheduler/pod_info.h"

namespace cubelet::scheduler {

// A pod in the queue with its scheduling history.
struct QueuedPodInfo {
  PodInfoPtr pod;
  absl::Time timestamp;             // when it was (re-)added to the queue
  absl::Time initial_attempt = absl::InfinitePast();  // first Pop
  int attempts = 0;
  bool gated = false;  // held back by schedulingGates
  // Plugins that rejected it in its last attempt (for messages and requeueing).
  std::vector<std::string> unschedulable_plugins;
};

struct QueueOptions {
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Seconds(10);
  absl::Duration max_unschedulable_duration = absl::Minutes(5);
};

// Why a requeue happens (upstream's ClusterEvent, coarsened). kAssignedPodAdded (a pod newly
// seen on a node) moves only pods that InterPodAffinity or PodTopologySpread rejected: a new
// pod takes resources and can only help pods waiting for pods (upstream's queueing hints for
// AssignedPodAdd); every other event moves every unschedulable pod.
enum class ClusterEvent { kNodeAdded, kNodeUpdated, kPodDeleted, kAssignedPodAdded, kAssignedPodUpdated, kForceFlush };

// Thread-safe. Pop blocks; Close wakes it.
class SchedulingQueue {
 public:
  SchedulingQueue(const Clock* clock, QueueOptions options = {});

  // A new pending pod (or one seen again after a relist): to activeQ, or gated.
  void Add(PodInfoPtr pod);
  // The pod changed while pending: the stored PodInfo is replaced; a gated pod whose gates
  // are gone moves to activeQ; an unschedulable pod whose spec changed moves to activeQ
  // (upstream's isPodUpdated); a pod in flight is updated when it comes back.
  void Update(PodInfoPtr pod);
  // The pod is gone or was bound by someone else.
  void Delete(std::string_view uid);

  // The highest-priority pod of activeQ, waiting until there is one; nullopt once closed.
  // The pod is "in flight" until AddUnschedulable / Done is called for it.
  std::optional<QueuedPodInfo> Pop();
  // The attempt failed: to unschedulablePods (rejected by plugins, no cluster event since it
  // was popped) or backoffQ (`error`, or an event came while in flight).
  void AddUnschedulable(QueuedPodInfo info, bool error);
  // The attempt ended (bound, or given up): forget the in-flight pod.
  void Done(std::string_view uid);

  // A cluster event: every unschedulable pod moves to backoffQ (if its back-off has not yet
  // passed) or activeQ; pods in flight remember it so their failure goes to backoffQ.
  void MoveAllToActiveOrBackoff(ClusterEvent event);

  // Moves back-off-completed pods to activeQ and unschedulable pods older than
  // max_unschedulable_duration to activeQ/backoffQ. The scheduler calls it every second.
  void FlushBackoffAndUnschedulable();

  // Wakes Pop for good.
  void Close();

  // Counts for metrics and tests.
  struct Counts {
    size_t active = 0;
    size_t backoff = 0;
    size_t unschedulable = 0;  // including gated
    size_t gated = 0;
    size_t in_flight = 0;
  };
  Counts counts() const;
  // The back-off of a pod after `attempts` attempts: initial × 2^(attempts−1), at most max.
  absl::Duration BackoffDuration(int attempts) const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cubelet::scheduler
