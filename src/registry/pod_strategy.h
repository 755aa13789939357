// Owns: the pod strategy (upstream pkg/registry/core/pod/strategy.go): status Pending and the
// QoS class on create, API defaults and validation through src/api's typed model, what an
// update may change in a pod spec, the status subresource, selectable fields, and the graceful
// deletion period.
// Does not own: binding, eviction and log subresources (apiserver/), scheduling.
#pragma once

#include "registry/resource.h"

namespace cubelet::registry {

class PodStrategy final : public Strategy {
 public:
  void PrepareForCreate(json::Value* object) const override;
  void Default(json::Value* object) const override;
  FieldErrors Validate(const json::Value& object) const override;
  FieldErrors ValidateUpdate(const json::Value& object, const json::Value& old) const override;
  void PrepareForStatusUpdate(json::Value* object, const json::Value& old) const override;
  FieldErrors ValidateStatusUpdate(const json::Value& object, const json::Value& old) const override;
  bool AllowUnconditionalUpdate() const override { return true; }
  void AddSelectableFields(const json::Value& object, selectors::Fields* fields) const override;
  std::optional<int64_t> GracePeriod(const json::Value& object, std::optional<int64_t> requested) const override;
};

// The pod's requests for scheduling summed as upstream does is the scheduler's business; this
// is the selectable-field set upstream's ToSelectableFields gives pods.
extern const std::vector<std::string> kPodSelectableFields;

}  // namespace cubelet::registry
