// Owns: the service strategy (upstream pkg/registry/core/service/strategy.go and the service
// defaults): type ClusterIP, TCP ports with targetPort = port, traffic policies, IP families,
// validation of ports and types, and clusterIP/nodePort immutability on update.
// Does not own: allocating cluster IPs and node ports (apiserver's allocator does it in
// admission, against the store), proxying (none yet).
#pragma once

#include "registry/resource.h"

namespace cubelet::registry {

class ServiceStrategy final : public Strategy {
 public:
  void Default(json::Value* object) const override;
  FieldErrors Validate(const json::Value& object) const override;
  void PrepareForUpdate(json::Value* object, const json::Value& old) const override;
  FieldErrors ValidateUpdate(const json::Value& object, const json::Value& old) const override;
  bool AllowUnconditionalUpdate() const override { return true; }
  bool AllowCreateOnUpdate() const override { return true; }
};

}  // namespace cubelet::registry
