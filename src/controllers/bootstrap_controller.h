// Owns: the objects a cluster has from its first second (upstream's apiserver post-start hooks:
// controlplane/controller/systemnamespaces, kubernetesservice with the endpoint reconciler
// reduced to one server, and scheduling's system priority classes): the default, kube-system,
// kube-public and kube-node-lease namespaces, the system-node-critical and
// system-cluster-critical PriorityClasses, the `kubernetes` Service in default and its
// Endpoints at the advertise address. Missing ones are created, and the Service's ports and
// type and the Endpoints' addresses are put back when edited, on watch events and every
// resync interval; nothing is written while they are as they should be.
// Does not own: allocating the Service's cluster IP (admission does that for clients; this
// controller is given the reserved one).
#pragma once

#include <string>
#include <thread>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/logger.h"
#include "controllers/controllers.h"
#include "controllers/informer.h"
#include "controllers/work_queue.h"
#include "json/value.h"
#include "registry/resource_set.h"

namespace cubelet::controllers {

class BootstrapController {
 public:
  // Registers its watches with `informers`.
  BootstrapController(registry::ResourceSet* resources, ControllerOptions options, Informers* informers,
                      const Clock* clock, Logger logger);
  ~BootstrapController();

  // Creates the missing system namespaces, reading the store itself (not the caches).
  absl::Status EnsureNamespaces();
  // Everything: namespaces, priority classes, the kubernetes Service and Endpoints. With
  // `from_cache` the existing objects are read from the watch caches (writes still compare
  // against the stored object). The first error, after trying every object.
  absl::Status Sync(bool from_cache);

  void Start();
  void Stop();

  // The objects as this controller creates them (exposed for tests).
  static json::Value SystemNamespace(const std::string& name);
  json::Value KubernetesService() const;
  json::Value KubernetesEndpoints() const;

 private:
  absl::Status EnsureExists(registry::ResourceStore* store, const std::string& namespace_, const json::Value& object,
                            bool from_cache);
  absl::Status SyncService(bool from_cache);
  absl::Status SyncEndpoints(bool from_cache);
  void Run();

  registry::ResourceStore* const namespaces_;
  registry::ResourceStore* const priority_classes_;
  registry::ResourceStore* const services_;
  registry::ResourceStore* const endpoints_;
  const ControllerOptions options_;
  const Clock* const clock_;
  const Logger logger_;
  WorkQueue queue_;
  std::jthread thread_;
};

}  // namespace cubelet::controllers
