// The composition root of the in-process controllers: builds them over one set of watches,
// creates the bootstrap objects, starts and stops them.
#include <memory>

#include "common/status_macros.h"
#include "controllers/bootstrap_controller.h"
#include "controllers/controllers.h"
#include "controllers/garbage_collector.h"
#include "controllers/informer.h"
#include "controllers/namespace_controller.h"
#include "controllers/node_lifecycle_controller.h"
#include "controllers/service_account_controller.h"
#include "controllers/taint_eviction_controller.h"

namespace cubelet::controllers {
namespace {

class ControllerManagerImpl final : public ControllerManager {
 public:
  ControllerManagerImpl(registry::ResourceSet* resources, ControllerOptions options, const Clock* clock, Logger logger)
      : logger_(logger),
        informers_(clock, logger),
        bootstrap_(resources, options, &informers_, clock, logger),
        service_accounts_(resources, &informers_, clock, logger),
        namespaces_(resources, &informers_, clock, logger),
        gc_(resources, &informers_, clock, logger) {
    if (options.enable_node_lifecycle) {
      node_lifecycle_ = std::make_unique<NodeLifecycleController>(resources, &informers_, options, clock, logger);
      taint_eviction_ = std::make_unique<TaintEvictionController>(resources, &informers_, clock, logger);
    }
  }

  ~ControllerManagerImpl() override { Stop(); }

  absl::Status Start() override {
    if (started_) return absl::FailedPreconditionError("the controllers were started already");
    started_ = true;
    RETURN_IF_ERROR(Annotate(bootstrap_.EnsureNamespaces(), "create the system namespaces"));
    // The rest is retried by the bootstrap loop; a server without them still serves.
    if (absl::Status s = bootstrap_.Sync(false); !s.ok()) {
      logger_.Warning("Failed to create the bootstrap objects; retrying", {{"err", s}});
    }
    // Watches that fail to start are retried by the informers' own thread.
    if (absl::Status s = informers_.Start(); !s.ok()) {
      logger_.Warning("Some controller watches did not start; retrying", {{"err", s}});
    }
    bootstrap_.Start();
    service_accounts_.Start();
    namespaces_.Start();
    gc_.Start();
    if (node_lifecycle_) node_lifecycle_->Start();
    if (taint_eviction_) taint_eviction_->Start();
    running_ = true;
    return absl::OkStatus();
  }

  void Stop() override {
    if (!running_) return;
    running_ = false;
    // No more events first, then the workers (each finishes the item in hand).
    informers_.Stop();
    if (taint_eviction_) taint_eviction_->Stop();
    if (node_lifecycle_) node_lifecycle_->Stop();
    gc_.Stop();
    namespaces_.Stop();
    service_accounts_.Stop();
    bootstrap_.Stop();
  }

 private:
  const Logger logger_;
  Informers informers_;
  BootstrapController bootstrap_;
  ServiceAccountController service_accounts_;
  NamespaceController namespaces_;
  GarbageCollector gc_;
  // Both or neither (ControllerOptions::enable_node_lifecycle).
  std::unique_ptr<NodeLifecycleController> node_lifecycle_;
  std::unique_ptr<TaintEvictionController> taint_eviction_;
  bool started_ = false;
  bool running_ = false;
};

}  // namespace

std::unique_ptr<ControllerManager> NewControllerManager(registry::ResourceSet* resources, ControllerOptions options,
                                                        const Clock* clock, Logger logger) {
  return std::make_unique<ControllerManagerImpl>(resources, std::move(options), clock, std::move(logger));
}

}  // namespace cubelet::controllers
