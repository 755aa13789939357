// Owns: garbage collection by ownerReferences (upstream pkg/controller/garbagecollector):
// objects whose owners are all gone are deleted (background); an owner deleted in the
// foreground (finalizer foregroundDeletion) sees its dependents deleted first and then loses
// the finalizer; an owner deleted with the orphan finalizer has its references removed from its
// dependents, then loses the finalizer. Every served kind is watched; the ownership graph
// (gc_graph.h) is built from those events on one thread and acted on by a few workers, which
// read the object itself before deleting anything.
// Does not own: the graph's bookkeeping (gc_graph.h), the deletion semantics of each kind (its
// store), namespace deletion (namespace_controller.h).
//
// Simplification against upstream: a foreground-deleting owner waits for all its dependents,
// not only those with blockOwnerDeletion.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/logger.h"
#include "controllers/gc_graph.h"
#include "controllers/informer.h"
#include "controllers/work_queue.h"
#include "registry/resource_set.h"

namespace cubelet::controllers {

class GarbageCollector {
 public:
  // Registers a watch on every kind with `informers`.
  GarbageCollector(registry::ResourceSet* resources, Informers* informers, const Clock* clock, Logger logger,
                   int workers = 2);
  ~GarbageCollector();

  void Start();
  void Stop();

  // True once the graph holds every kind's initial objects (workers act only then).
  bool Synced() const;
  size_t GraphSize() const;

 private:
  struct GraphEvent {
    enum class Kind { kChange, kDelete, kRelist, kSynced } kind;
    int resource;
    ObjectPtr object;  // kChange, kDelete
  };
  enum class OwnerState { kSolid, kDangling, kWaiting };
  // A node's identity and what the workers need of it, copied out of the graph.
  struct NodeCopy {
    int resource = -1;
    std::string namespace_;
    std::string name;
    std::string uid;
  };

  void Push(GraphEvent event);
  bool HasEventsOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(events_mu_);
  void GraphLoop();
  // One batch of watch events into the graph, and the work it makes; on the graph thread.
  void ApplyToGraph(const std::deque<GraphEvent>& batch);
  void Enqueue(const GcGraph::Work& work);
  void WorkerLoop();

  absl::Status AttemptToDelete(const std::string& uid);
  absl::Status AttemptToOrphan(const std::string& uid);
  // Upstream's classifyReferences for one reference: gone (or another object by now), alive and
  // waiting for its dependents, or alive.
  absl::StatusOr<OwnerState> ClassifyOwner(const OwnerReference& ref, const std::string& dependent_namespace,
                                           bool dependent_namespaced);
  registry::ResourceStore* StoreFor(const OwnerReference& ref) const;
  std::vector<NodeCopy> DependentsOf(const GcGraph::Node& node) const ABSL_SHARED_LOCKS_REQUIRED(graph_mu_);

  std::vector<registry::ResourceStore*> resources_;  // the graph's resource index
  std::map<std::pair<std::string, std::string>, registry::ResourceStore*> by_kind_;  // (group, kind)
  const Logger logger_;

  mutable absl::Mutex events_mu_;
  std::deque<GraphEvent> events_ ABSL_GUARDED_BY(events_mu_);
  bool stopping_ ABSL_GUARDED_BY(events_mu_) = false;

  mutable absl::Mutex graph_mu_;
  GcGraph graph_ ABSL_GUARDED_BY(graph_mu_);
  std::set<int> synced_resources_ ABSL_GUARDED_BY(graph_mu_);
  bool synced_ ABSL_GUARDED_BY(graph_mu_) = false;
  std::set<std::string> warned_kinds_ ABSL_GUARDED_BY(graph_mu_);
  // Work found before every kind was listed, handed out once it is (the graph is complete).
  GcGraph::Work pending_;  // graph thread only

  WorkQueue queue_;
  const int worker_count_;
  std::jthread graph_thread_;
  std::vector<std::jthread> workers_;
};

}  // namespace cubelet::controllers
