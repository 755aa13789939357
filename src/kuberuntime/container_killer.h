// Owns: ContainerKiller, upstream's killContainer (kuberuntime_container.go): a container's
// preStop hook within its grace period, then StopContainer with what is left of it (at least
// 2 s); many containers at once, in parallel on one bounded pool shared by every pod, so a
// rollout of pods with long grace periods neither starts a thread per container nor holds the
// pod workers' threads.
// A kill is cancelled when its caller's token stops (a shorter grace period arrived: the caller
// kills again with it) or when the killer is destroyed (the agent exits without waiting for
// grace periods, as upstream's kubelet does: the runtime finishes the stops it was asked for).
// Does not own: which containers to kill or with what grace period (KubeRuntimeManager).
#pragma once

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "api/types.h"
#include "common/bounded_executor.h"
#include "common/clock.h"
#include "common/logger.h"
#include "cri/runtime_service.h"

namespace cubelet::kuberuntime {

// upstream's minimumGracePeriodInSeconds.
inline constexpr int64_t kMinimumGracePeriodSeconds = 2;
// Threads of the kill pool. Each stop holds one for up to its grace period (CRI StopContainer
// blocks until the container is gone); beyond that many, kills wait their turn.
inline constexpr int kDefaultKillThreads = 16;

// One container to stop; owns everything the stop needs, as it may run after its caller returned.
struct ContainerKill {
  std::string container_id;
  std::string name;
  int64_t grace_seconds = 30;
  std::string reason;                  // logged: "pod is being killed", the probe's message, ...
  std::optional<api::Container> spec;  // for its preStop hook; none for a pod no source knows
  std::vector<std::string> pod_ips;    // for an httpGet preStop hook
};

class ContainerKiller {
 public:
  using Done = absl::AnyInvocable<void(absl::Status) &&>;

  ContainerKiller(cri::RuntimeService* runtime, Clock* clock, Logger logger, int threads);
  // Cancels the kills under way and drops the queued ones (their `done` gets CancelledError).
  ~ContainerKiller();
  ContainerKiller(const ContainerKiller&) = delete;
  ContainerKiller& operator=(const ContainerKiller&) = delete;

  // Stops one container on the calling thread. A container already gone is not an error;
  // a cancelled stop is CancelledError (a preStop hook under way runs to its end first).
  absl::Status KillContainer(const ContainerKill& kill, std::stop_token cancel);
  // Stops every one of `kills` in parallel on the pool and calls `done` once, with the first
  // error, when all finished: on a pool thread, or on the caller's when `kills` is empty. When
  // the pool stops before all ran, `done` gets a CancelledError.
  void KillContainersAsync(std::vector<ContainerKill> kills, std::stop_token cancel, Done done);
  // KillContainersAsync, waiting for these kills only (not for other pods' kills on the pool).
  absl::Status KillContainers(std::vector<ContainerKill> kills, std::stop_token cancel);

  // Kills waiting for a pool thread; for tests.
  size_t Queued() const { return pool_.Queued(); }

 private:
  cri::RuntimeService* runtime_;
  Clock* clock_;
  Logger logger_;
  std::stop_source shutdown_;  // stops every kill's call to the runtime at destruction
  BoundedExecutor pool_;  // last: stopped before the members its tasks use
};

}  // namespace cubelet::kuberuntime
