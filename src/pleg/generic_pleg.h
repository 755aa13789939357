// Owns: GenericPleg, upstream's generic pod lifecycle event generator: it relists the runtime
// every period (1 s), compares each container's and sandbox's state with the previous relist,
// and reports the pods that changed (ContainerStarted, ContainerDied, ContainerRemoved, ...).
// Does not own: reacting to events (the agent routes them to pod workers).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
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

  GenericPleg(cri::RuntimeService* runtime, Clock* clock, Logger logger, absl::Duration period, EventFn on_event);

  // One relist: lists sandboxes and containers and emits an event per change.
  void Relist();
  // Relists every period until `stop`.
  void Run(std::stop_token stop);
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
  Clock* clock_;
  Logger logger_;
  absl::Duration period_;
  EventFn on_event_;
  std::map<std::string, Record> last_;  // by container or sandbox ID; owned by the relist thread
  std::atomic<int64_t> last_relist_unix_ns_{0};
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const RelistSnapshot> snapshot_;  // guarded by snapshot_mu_
};

}  // namespace cubelet::pleg
