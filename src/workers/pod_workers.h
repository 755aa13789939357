// Owns: PodWorkers, upstream's pod_workers.go: each pod's lifecycle as an explicit podSyncStatus
// (syncing -> terminating -> terminated), driven on a bounded pool of threads with at most one
// step per pod at a time; the kill's grace period (the smallest requested wins, it never grows);
// a kill, once asked for, is never undone by later updates; a create for a UID still being torn
// down restarts the pod as soon as the old instance is down (restartRequested); periodic resync
// (syncFrequency, jittered) and back-off after errors; a step cancelled when the pod's state
// changes under it (cancelFn); static pods of one full name started one at a time, the next
// only once the previous instance is gone (allowStaticPodStart).
// Does not own: what a step does (PodSyncer), which pods should exist (the pod sources).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "api/types.h"
#include "common/clock.h"
#include "common/logger.h"

namespace cubelet::workers {

// What one SyncPod step came to.
enum class SyncPodOutcome {
  kSynced,    // the pod is as its spec says, as far as this step could bring it
  kTerminal,  // the pod reached a terminal phase (Succeeded, Failed): it terminates next
  kPending,   // the step left work running (kills of containers to restart): it resumes later
};

// Implemented by the agent's pod logic (upstream's podSyncer). Calls for one pod never overlap;
// calls for different pods run at the same time. `cancelled` stops when the pod's state changed
// under the step (upstream's cancelFn): a kill arrived during a sync, or a shorter grace period
// during a termination; the step ends early at its next safe point (with CancelledError).
class PodSyncer {
 public:
  // Ends a step that left work running; called exactly once, from any thread.
  using StepDone = absl::AnyInvocable<void(absl::Status) &&>;
  using TerminatingDone = StepDone;

  virtual ~PodSyncer() = default;
  // Brings the pod to its spec. A step that starts work it must not wait for on the worker's
  // thread (kills, which take up to a grace period) returns kPending and calls `resume` once
  // when the work finished (possibly before returning); the pod then syncs again at once and
  // nothing else runs for it meanwhile. Other outcomes never call `resume`.
  virtual absl::StatusOr<SyncPodOutcome> SyncPod(const api::Pod& pod, std::stop_token cancelled,
                                                 StepDone resume) = 0;
  // Stops every container and sandbox of the pod within `grace_period_seconds` (std::nullopt for
  // a pod known only from the runtime: its containers' annotations say). Asynchronous: returns
  // once the stops are under way, so the pod worker's thread serves other pods meanwhile, and
  // calls `done` when they finished (possibly before returning). Nothing else runs for the pod
  // before `done`.
  virtual void SyncTerminatingPod(std::shared_ptr<const api::Pod> pod, std::optional<int64_t> grace_period_seconds,
                                  std::stop_token cancelled, TerminatingDone done) = 0;
  // Cleans up after a stopped pod. `deleted` when its source removed it (its status and volumes
  // go too); false when it only reached a terminal phase and stays listed.
  virtual absl::Status SyncTerminatedPod(const api::Pod& pod, bool deleted) = 0;
};

// upstream kubetypes.SyncPodType.
enum class UpdateType { kCreate, kUpdate, kSync, kKill };

struct KillPodOptions {
  // upstream PodTerminationGracePeriodSecondsOverride: a shorter grace period than the pod's
  // (eviction, a probe); it can shorten a termination under way, never lengthen it.
  std::optional<int64_t> grace_period_override;
};

// upstream UpdatePodOptions.
struct UpdatePodOptions {
  UpdateType update_type = UpdateType::kSync;
  std::shared_ptr<const api::Pod> pod;  // required
  KillPodOptions kill_pod_options;      // read when the update is a kill or the pod is terminating
};

// upstream PodWorkerState: what the next step of a pod does.
enum class PodWorkType { kSync, kTerminating, kTerminated };

// upstream podSyncStatus: where one pod is in its lifecycle.
struct PodSyncStatus {
  absl::Time synced_at;                      // first seen by the pod workers
  std::optional<absl::Time> terminating_at;  // a kill was asked for or the pod became terminal
  std::optional<absl::Time> terminated_at;   // SyncTerminatingPod succeeded: nothing runs
  // The worker stopped syncing the pod: no container of it starts any more.
  bool started_terminating = false;
  // Removed by its source (or never known to one): cleaned up fully, then forgotten. Otherwise a
  // terminated pod only reached a terminal phase and stays listed.
  bool deleted = false;
  bool finished = false;  // SyncTerminatedPod succeeded for a pod that stays listed
  // A create arrived for the UID after its kill: the pod starts afresh once terminated.
  bool restart_requested = false;
  // Once terminating: the kill's grace period (std::nullopt: the containers' annotations say).
  std::optional<int64_t> grace_period;

  PodWorkType WorkType() const {
    if (terminated_at) return PodWorkType::kTerminated;
    if (terminating_at) return PodWorkType::kTerminating;
    return PodWorkType::kSync;
  }
};

// upstream calculateEffectiveGracePeriod: the pod's deletionGracePeriodSeconds and the kill's
// override win when shorter than `current`; with neither, `current` or else the pod's
// terminationGracePeriodSeconds; never below 1 s. std::nullopt only when nothing says (a pod
// known only from the runtime).
std::optional<int64_t> CalculateEffectiveGracePeriod(std::optional<int64_t> current, const api::Pod& pod,
                                                     std::optional<int64_t> override);

struct PodWorkersOptions {
  int threads = 4;
  absl::Duration resync_interval = absl::Minutes(1);  // syncFrequency; jittered by up to 50 %
  absl::Duration error_backoff = absl::Seconds(10);   // jittered by up to 50 %
  absl::Duration teardown_retry = absl::Seconds(1);   // after a failed kill or cleanup
};

class PodWorkers {
 public:
  // `syncer` and `clock` must outlive the PodWorkers; a SyncTerminatingPod still running at
  // destruction may call its `done` later, which is then ignored.
  PodWorkers(PodSyncer* syncer, Clock* clock, Logger logger, PodWorkersOptions options);
  ~PodWorkers();
  PodWorkers(const PodWorkers&) = delete;
  PodWorkers& operator=(const PodWorkers&) = delete;

  // upstream UpdatePod: never blocks on a sync. An update arriving while the pod's step runs is
  // kept and runs next (only the newest pod spec is kept).
  void UpdatePod(UpdatePodOptions options);
  void UpdatePod(std::shared_ptr<const api::Pod> pod, UpdateType type) {
    UpdatePod(UpdatePodOptions{.update_type = type, .pod = std::move(pod), .kill_pod_options = {}});
  }
  // Queues a step for every pod whose next sync time has passed (the 1 s sync tick).
  void SyncDue();
  bool IsKnown(const std::string& uid) const;
  // True once the pod has been stopped (terminated or forgotten).
  bool IsTerminated(const std::string& uid) const;
  std::optional<PodSyncStatus> GetPodSyncStatus(const std::string& uid) const;
  // Joins the worker threads; later `done` calls of SyncTerminatingPod are ignored.
  void Stop();

 private:
  struct Worker {
    PodSyncStatus status;
    std::shared_ptr<const api::Pod> pod;          // the newest spec the steps act on
    std::optional<UpdatePodOptions> pending;      // arrived since the last step started
    std::shared_ptr<const api::Pod> restart_pod;  // the create waiting for the old instance
    bool queued = false;
    bool working = false;  // a step runs (until its `done` or `resume` when it left work running)
    PodWorkType running = PodWorkType::kSync;  // what the step under way does
    std::stop_source cancel{std::nostopstate};   // the step under way's cancelFn
    std::string static_full_name;  // "<name>_<namespace>" of a static pod; empty for others
    absl::Time next_sync;
  };
  // Reaches the PodWorkers from SyncTerminatingPod's `done`, which may run after Stop().
  struct Liveness {
    std::mutex mu;
    PodWorkers* workers ABSL_GUARDED_BY(mu);
  };

  void Schedule(const std::string& uid, Worker& w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(std::stop_token stop);
  void RunStep(const std::string& uid);
  // A step ends (`result` kPending: the work it left running finished).
  void CompleteSync(const std::string& uid, const absl::StatusOr<SyncPodOutcome>& result, const api::Pod& pod);
  void CompleteTerminating(const std::string& uid, const absl::Status& result);
  void CompleteTerminated(const std::string& uid, const absl::Status& result);
  // Requires mu_. Ends a kill or cleanup step of `uid`: the worker when it succeeded; null when
  // the pod is gone or the step failed (logged with `failure`, retried after teardown_retry).
  Worker* FinishTeardownStep(const std::string& uid, const absl::Status& result, std::string_view failure)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration Jitter(absl::Duration d);
  // upstream allowStaticPodStart: whether the static pod `uid` may start now. Only one instance
  // of a full name runs at a time; the others wait in arrival order (an edited manifest's new
  // UID waits until the old instance is gone, so a hostNetwork pod finds its ports free).
  bool AllowStaticPodStart(const std::string& full_name, const std::string& uid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forgets a pod's worker; frees its full name for the next waiting static pod.
  void RemoveWorker(const std::string& uid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  PodSyncer* syncer_;
  Clock* clock_;
  Logger logger_;
  PodWorkersOptions options_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<std::string, Worker> workers_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  // upstream startedStaticPodsByFullname / waitingToStartStaticPodsByFullname.
  std::map<std::string, std::string> started_static_pods_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::deque<std::string>> waiting_static_pods_ ABSL_GUARDED_BY(mu_);
  // Its own lock: Jitter runs on the worker threads outside mu_.
  std::mutex rng_mu_;
  std::mt19937 rng_ ABSL_GUARDED_BY(rng_mu_){std::random_device{}()};
  std::shared_ptr<Liveness> liveness_;
  std::vector<std::jthread> threads_;
};

}  // namespace cubelet::workers
