#include "admission/chain.h"

#include "admission/default_toleration_seconds.h"
#include "admission/namespace_lifecycle.h"
#include "admission/node_restriction.h"
#include "admission/priority.h"
#include "admission/priority_class_cache.h"
#include "admission/service_allocator.h"
#include "common/status_macros.h"

namespace cubelet::admission {
namespace {

Clock* DefaultClock() {
  static RealClock clock;
  return &clock;
}

class PluginChain final : public Chain {
 public:
  PluginChain(const ObjectLookup* lookup, storage::Store* store, ChainOptions options)
      : clock_(options.clock != nullptr ? options.clock : DefaultClock()),
        classes_(store, options.priority_class_prefix),
        lifecycle_(lookup),
        service_accounts_(lookup, clock_, options.service_accounts),
        priority_(lookup, &classes_),
        node_restriction_(lookup),
        allocator_(lookup, store, clock_, options.network, options.allocation_grace) {}

  absl::Status Admit(const Request& request, json::Value* object, const json::Value* old) const override {
    if (object == nullptr) return absl::OkStatus();
    RETURN_IF_ERROR(lifecycle_.Admit(request, object));
    RETURN_IF_ERROR(service_accounts_.Admit(request, object));
    RETURN_IF_ERROR(priority_.Admit(request, object, old));
    RETURN_IF_ERROR(AdmitDefaultTolerationSeconds(request, object));
    return allocator_.Admit(request, object, old);
  }

  absl::Status Validate(const Request& request, const json::Value* object, const json::Value* old) const override {
    RETURN_IF_ERROR(lifecycle_.Validate(request, object));
    RETURN_IF_ERROR(priority_.Validate(request, object));
    return node_restriction_.Validate(request, object, old);
  }

  void Abandon(const Request& request, const json::Value& object) const override {
    allocator_.Abandon(request, object);
  }

 private:
  Clock* const clock_;
  // Mutable state lives in the cache and the store; the chain itself is immutable.
  mutable PriorityClassCache classes_;
  NamespaceLifecycle lifecycle_;
  ServiceAccountAdmission service_accounts_;
  PriorityAdmission priority_;
  NodeRestriction node_restriction_;
  ServiceAllocator allocator_;
};

}  // namespace

std::unique_ptr<Chain> NewChain(const ObjectLookup* lookup, storage::Store* store, ChainOptions options) {
  return std::make_unique<PluginChain>(lookup, store, std::move(options));
}

std::unique_ptr<Chain> NewChain(const ObjectLookup* lookup, storage::Store* store, ServiceNetwork network) {
  ChainOptions options;
  options.network = std::move(network);
  return NewChain(lookup, store, std::move(options));
}

}  // namespace cubelet::admission
