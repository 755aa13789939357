// Owns: the `default` ServiceAccount of every active namespace (upstream
// pkg/controller/serviceaccount/serviceaccounts_controller.go): created when a namespace
// appears or becomes active, created again when deleted. Namespaces being deleted are left
// alone (their content is going).
// Does not own: tokens (no token controller: bound tokens come from the TokenRequest API).
#pragma once

#include <string>
#include <thread>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/logger.h"
#include "controllers/informer.h"
#include "controllers/work_queue.h"
#include "registry/resource_set.h"

namespace cubelet::controllers {

class ServiceAccountController {
 public:
  // Registers its watches with `informers`. Does nothing when either kind is not served.
  ServiceAccountController(registry::ResourceSet* resources, Informers* informers, const Clock* clock, Logger logger);
  ~ServiceAccountController();

  void Start();
  void Stop();

  // Ensures the default ServiceAccount of one namespace (exposed for tests).
  absl::Status SyncNamespace(const std::string& name);

 private:
  void EnqueueAllNamespaces();
  void Run();

  registry::ResourceStore* const namespaces_;
  registry::ResourceStore* const service_accounts_;
  const Logger logger_;
  WorkQueue queue_;
  std::jthread thread_;
};

}  // namespace cubelet::controllers
