// Owns: GenericPleg, upstream's generic pod lifecycle event generator: it relists the runtime
// every period (1 s) on the timer queue, compares each container's and sandbox's state with the
// previous relist, and reports the pods that changed (ContainerStarted, ContainerDied,
// ContainerRemoved, ...). Its last relist is the runtime cache housekeeping reads.
// Does not own: reacting to events (the agent routes them to pod workers).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/timer_queue.h"
#include "cri/runtime_service.h"

namespace cubelet::pleg {

enum class PodLifecycleEventType { kContainerStarted, kContainerDied, kContainerRemoved, kContainerChanged, kPodSync };

struct PodLifecycleEvent {
  std::string pod_uid;
  PodLifecycleEventType type;
  std::string data;  // the container or sandbox ID
};

const char* ToString(PodLifecycleEventType type);

// What one relist saw, shared with readers that need the runtime's pods without listing again.
struct RelistSnapshot {
  std::vector<cri::PodSandbox> sandboxes;
  std::vector<cri::Container> containers;
};

class GenericPleg {
 public:
  using EventFn = std::function<void(const PodLifecycleEvent&)>;

  // `on_event` runs on the timer queue's threads, one relist at a time.
  GenericPleg(cri::RuntimeService* runtime, TimerQueue* timers, Clock* clock, Logger logger, absl::Duration period,
              EventFn on_event);

  // Relists at once and then every period, on the timer queue, until destroyed. Called once.
  void Start();
  // One relist: lists sandboxes and containers and emits an event per change. Not concurrently
  // with itself (Start's schedule never overlaps runs).
  void Relist();
  // upstream's Healthy: false before the first successful relist or after 3 min without one.
  bool Healthy() const;
  // The last successful relist (null before the first); at most one period old. Thread-safe.
  std::shared_ptr<const RelistSnapshot> LastRelist() const;

 private:
  struct Record {
    std::string pod_uid;
    int state;  // cri::ContainerState or PodSandboxState, plus an offset for sandboxes
  };
  cri::RuntimeService* runtime_;
  TimerQueue* timers_;
  Clock* clock_;
  Logger logger_;
  absl::Duration period_;
  EventFn on_event_;
  std::map<std::string, Record> last_;  // by container or sandbox ID; owned by the relist thread
  std::atomic<int64_t> last_relist_unix_ns_{0};
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const RelistSnapshot> snapshot_;  // guarded by snapshot_mu_
  TimerQueue::Handle relist_;  // last: cancelled (and a relist in progress awaited) first
};

}  // namespace cubelet::pleg
