// Owns: deleting a namespace (upstream pkg/controller/namespace and its
// deletion/namespaced_resources_deleter.go): once a namespace is Terminating with the
// `kubernetes` finalizer in spec.finalizers, delete everything in it of every namespaced kind,
// wait until all of it is gone (graceful pods, finalizers), report progress in the namespace's
// status conditions as upstream does, then remove the finalizer so the namespace goes.
// Does not own: marking the namespace Terminating (the namespace strategy's BeginDelete), how
// each kind is deleted (its store: pods are graceful), other finalizers' owners.
#pragma once

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/logger.h"
#include "controllers/informer.h"
#include "controllers/work_queue.h"
#include "registry/resource_set.h"

namespace cubelet::controllers {

class NamespaceController {
 public:
  // Registers its watch with `informers`.
  NamespaceController(registry::ResourceSet* resources, Informers* informers, const Clock* clock, Logger logger);
  ~NamespaceController();

  void Start();
  void Stop();

  // One pass over a namespace. Returns how long to wait before the next pass while content
  // remains (zero when there is nothing more to do).
  absl::StatusOr<absl::Duration> SyncNamespace(const std::string& name);

 private:
  // What one pass found (upstream allGVRDeletionMetadata plus the deletion errors).
  struct ContentTotals {
    std::map<std::string, int> remaining_by_resource;  // "pods." → count
    std::map<std::string, int> remaining_by_finalizer;
    std::vector<std::string> errors;
    int64_t estimate_seconds = 0;
    bool empty() const { return remaining_by_resource.empty(); }
  };
  ContentTotals DeleteAllContent(const std::string& namespace_);
  absl::Status UpdateConditions(const std::string& name, const std::string& uid, const ContentTotals& totals);
  // Removes the `kubernetes` finalizer, and the namespace when nothing else holds it.
  absl::Status Finalize(const std::string& name, const std::string& uid);
  void Run();

  registry::ResourceStore* const namespaces_;
  std::vector<registry::ResourceStore*> content_;  // every namespaced kind, stored once
  const Clock* const clock_;
  const Logger logger_;
  WorkQueue queue_;
  std::map<std::string, int> stuck_passes_;  // worker thread only
  std::jthread thread_;
};

}  // namespace cubelet::controllers
