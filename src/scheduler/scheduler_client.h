// Owns: everything the scheduler reads from and writes to the API, as one seam (what a separate
// kube-scheduler does over HTTP): watches of pods, nodes, namespaces and services delivered as
// events,
// the bind (pods/binding), the pod's PodScheduled condition and nominatedNodeName
// (pods/status), deleting preemption victims gracefully, and events. The in-process
// implementation (registry_client.h) goes through the registry's watch caches and verbs, never
// the store; tests may implement it with a fake.
// Does not own: what the scheduler decides (scheduler.h).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "json/value.h"
#include "scheduler/pod_info.h"

namespace cubelet::scheduler {

enum class EventType { kAdded, kModified, kDeleted };

using ObjectRef = std::shared_ptr<const json::Value>;

// Called on the client's watch threads, events of one kind in order (kinds may interleave and
// arrive concurrently); must not block for long.
class ClusterEventHandler {
 public:
  virtual ~ClusterEventHandler() = default;
  virtual void OnPod(EventType type, const ObjectRef& pod) = 0;
  virtual void OnNode(EventType type, const ObjectRef& node) = 0;
  virtual void OnNamespace(EventType type, const ObjectRef& namespace_) = 0;
  virtual void OnService(EventType type, const ObjectRef& service) = 0;
};

struct PodCondition {
  std::string status = "False";  // of PodScheduled
  std::string reason;            // "Unschedulable", "SchedulerError"
  std::string message;
};

class SchedulerClient {
 public:
  virtual ~SchedulerClient() = default;

  // Starts the watches; events flow to `handler` until Stop. Returns once the initial objects
  // of every kind were delivered (the scheduler does not decide on a partial view). When a
  // watch has to start over (its history was compacted away), the client delivers kDeleted for
  // what the new list no longer holds, so the handler never sees a relist.
  virtual absl::Status Start(ClusterEventHandler* handler) = 0;
  virtual void Stop() = 0;

  // POST pods/binding with the pod's uid as precondition.
  virtual absl::Status Bind(const PodInfo& pod, const std::string& node) = 0;
  // The PodScheduled condition and status.nominatedNodeName ("" clears it; nullopt leaves it)
  // on pods/status.
  virtual absl::Status UpdatePodCondition(const PodInfo& pod, const PodCondition& condition,
                                          const std::optional<std::string>& nominated_node) = 0;
  // Graceful delete with the pod's uid as precondition (preemption victims).
  virtual absl::Status DeletePod(const PodInfo& pod) = 0;
  // A core/v1 Event about the pod, from "default-scheduler" (reason Scheduled, FailedScheduling,
  // Preempted). Best effort: failures are logged, not returned.
  virtual void RecordEvent(const PodInfo& pod, std::string_view type, std::string_view reason,
                           std::string_view message) = 0;
};

}  // namespace cubelet::scheduler
