// Owns: kube-scheduler's loop (upstream pkg/scheduler/schedule_one.go): takes the next pod of
// the queue, finds the nodes it fits on (starting where the last search stopped, stopping after
// percentageOfNodesToScore of them), scores them, picks the best (ties at random), assumes the
// pod there and binds it on a binder thread, so the next cycle starts without waiting for the
// write. A pod that fits nowhere gets upstream's "0/N nodes are available: ..." message as its
// PodScheduled=False condition and a FailedScheduling event, preemption is tried, and it waits
// in the queue for a cluster change. Feeds the cache and the queue from the client's watches.
// Does not own: the plugins, the queue's ordering and back-off, the API calls (scheduler_client.h).
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/logger.h"
#include "scheduler/cache.h"
#include "scheduler/config.h"
#include "scheduler/nominator.h"
#include "scheduler/profile.h"
#include "scheduler/scheduler_client.h"
#include "scheduler/scheduling_queue.h"

namespace cubelet::scheduler {

struct SchedulerOptions {
  SchedulerConfig config = DefaultSchedulerConfig();
  int binder_threads = 16;  // concurrent bind writes (each waits for the store's commit)
  uint64_t seed = 0;        // 0: random; tie-breaking
};

// What one cycle decided.
struct ScheduleResult {
  std::string node;              // empty: fits nowhere
  int evaluated_nodes = 0;       // nodes Filter ran on
  int feasible_nodes = 0;
  std::string message;           // the FitError message when it fits nowhere
  std::vector<std::string> pre_filter_reasons;  // when a PreFilter plugin rejected the pod
};

class Scheduler final : public ClusterEventHandler {
 public:
  static absl::StatusOr<std::unique_ptr<Scheduler>> Create(SchedulerClient* client, SchedulerOptions options,
                                                           const Clock* clock, Logger logger);
  ~Scheduler() override;

  // Starts the watches (returns once they are synced) and the scheduling loop.
  absl::Status Start();
  void Stop();

  // Totals of the scheduling algorithm (snapshot, filters, scores, preemption; not binding),
  // for the benchmark's algorithm-only rate.
  struct Stats {
    int64_t attempts = 0;
    int64_t scheduled = 0;      // attempts that found a node
    absl::Duration algorithm;   // summed over attempts
  };
  Stats stats() const;

  // ClusterEventHandler
  void OnPod(EventType type, const ObjectRef& pod) override;
  void OnNode(EventType type, const ObjectRef& node) override;
  void OnNamespace(EventType type, const ObjectRef& namespace_) override;
  void OnService(EventType type, const ObjectRef& service) override;

  const SchedulingQueue& queue() const { return *queue_; }
  const Cache& cache() const { return *cache_; }

 private:
  Scheduler(SchedulerClient* client, SchedulerOptions options, const Clock* clock, Logger logger);

  const Profile* ProfileFor(const PodInfo& pod) const;
  bool Responsible(const PodInfo& pod) const { return ProfileFor(pod) != nullptr; }
  void Run();
  void ScheduleOne(QueuedPodInfo queued);
  ScheduleResult Schedule(const Profile& profile, const PodInfo& pod, const Snapshot& snapshot,
                          std::map<std::string, Status, std::less<>>* rejections);
  int NumFeasibleNodesToFind(int all_nodes) const;
  void Bind(QueuedPodInfo queued, PodInfoPtr assumed, std::string node);
  // `nominated`: the node to nominate ("" clears it); nullopt leaves the pod's as it is.
  void HandleFailure(QueuedPodInfo queued, const std::string& message, bool error, std::optional<std::string> nominated);
  // API writes (binds, conditions, events, victims) run on the binder threads, so a cycle never
  // waits for a commit.
  void Enqueue(std::function<void()> task);
  void BinderLoop();
  void Housekeeping();

  SchedulerClient* const client_;
  const SchedulerOptions options_;
  const Clock* const clock_;
  const Logger logger_;
  std::vector<std::unique_ptr<Profile>> profiles_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<SchedulingQueue> queue_;
  Nominator nominator_;

  absl::Mutex rand_mu_;
  std::mt19937_64 rand_ ABSL_GUARDED_BY(rand_mu_);
  // Only the loop thread touches these.
  Snapshot snapshot_;
  size_t next_start_node_index_ = 0;

  mutable absl::Mutex stats_mu_;
  Stats stats_ ABSL_GUARDED_BY(stats_mu_);

  absl::Mutex bind_mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(bind_mu_);
  bool stopping_ ABSL_GUARDED_BY(bind_mu_) = false;

  std::atomic<bool> stopped_{false};
  std::jthread loop_;
  std::jthread housekeeping_;
  std::vector<std::jthread> binders_;
};

}  // namespace cubelet::scheduler
