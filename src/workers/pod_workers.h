// Owns: PodWorkers, upstream's pod_workers: at most one sync per pod at a time on a bounded
// pool of threads; a pod moves Syncing -> Terminating -> Terminated; a kill, once asked for, is
// never dropped (later updates cannot undo it); periodic resync (syncFrequency, jittered) and
// back-off after errors.
// Does not own: what a sync does (PodSyncer).
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "api/types.h"
#include "common/clock.h"
#include "common/logger.h"

namespace cubelet::workers {

// Implemented by the agent's pod logic. Calls for one pod never overlap.
class PodSyncer {
 public:
  virtual ~PodSyncer() = default;
  // Brings the pod to its spec; true when the pod reached a terminal phase.
  virtual absl::StatusOr<bool> SyncPod(const api::Pod& pod) = 0;
  // Stops every container and sandbox of the pod.
  virtual absl::Status SyncTerminatingPod(const api::Pod& pod) = 0;
  // Cleans up after a stopped pod; `removed` when no source has it any more.
  virtual absl::Status SyncTerminatedPod(const api::Pod& pod, bool removed) = 0;
};

enum class UpdateType { kCreate, kUpdate, kSync, kKill };

struct PodWorkersOptions {
  int threads = 4;
  absl::Duration resync_interval = absl::Minutes(1);  // syncFrequency; jittered by up to 50 %
  absl::Duration error_backoff = absl::Seconds(10);   // jittered by up to 50 %
};

class PodWorkers {
 public:
  PodWorkers(PodSyncer* syncer, Clock* clock, Logger logger, PodWorkersOptions options);
  ~PodWorkers();

  void UpdatePod(std::shared_ptr<const api::Pod> pod, UpdateType type);
  // Queues a sync for every pod whose next sync time has passed (the 1 s sync tick).
  void SyncDue();
  bool IsKnown(const std::string& uid) const;
  // True once the pod has been stopped (terminated or forgotten).
  bool IsTerminated(const std::string& uid) const;
  void Stop();

 private:
  enum class Phase { kSyncing, kTerminating, kTerminated };
  struct PodState {
    std::shared_ptr<const api::Pod> pod;
    Phase phase = Phase::kSyncing;
    bool kill_requested = false;
    bool queued = false;
    bool working = false;
    bool pending = false;  // another update arrived while working
    bool done = false;     // terminated and cleaned up; nothing more to do unless killed
    absl::Time next_sync;
  };

  void Enqueue(const std::string& uid, PodState& st);  // requires mu_
  void Run(std::stop_token stop);
  absl::Duration Jitter(absl::Duration d) ABSL_LOCKS_EXCLUDED(rng_mu_);

  PodSyncer* syncer_;
  Clock* clock_;
  Logger logger_;
  PodWorkersOptions options_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::map<std::string, PodState> pods_;  // guarded by mu_
  std::deque<std::string> queue_;         // guarded by mu_
  // Its own lock: Jitter runs on the worker threads outside mu_.
  absl::Mutex rng_mu_;
  std::mt19937 rng_ ABSL_GUARDED_BY(rng_mu_){std::random_device{}()};
  std::vector<std::jthread> threads_;
};

}  // namespace cubelet::workers
