// Owns: the list of resources cubelet-server serves (kinds, groups, verbs, subresources,
// storage prefixes, selectable fields, strategies): the one place a kind is added.
// Does not own: how a verb works (resource_store.h) or HTTP routing (apiserver/).
#pragma once

#include <memory>
#include <vector>

#include "registry/resource.h"

namespace cubelet::registry {

struct ResourceDefinition {
  ResourceInfo info;
  std::shared_ptr<const Strategy> strategy;
};

// Every served resource, in discovery order (core first). events.k8s.io/v1 events share the
// storage of core/v1 events (ResourceInfo::storage_resource).
std::vector<ResourceDefinition> BuiltInResources(absl::Duration event_ttl);

// Strategies of the kinds with few rules of their own.
class PriorityClassStrategy final : public Strategy {
 public:
  void Default(json::Value* object) const override;
  FieldErrors Validate(const json::Value& object) const override;
  FieldErrors ValidateUpdate(const json::Value& object, const json::Value& old) const override;
};

class RuntimeClassStrategy final : public Strategy {
 public:
  FieldErrors Validate(const json::Value& object) const override;
  FieldErrors ValidateUpdate(const json::Value& object, const json::Value& old) const override;
};

// Leases: a PUT of a missing lease creates it, and updates must name the version they replace
// (upstream's lease strategy).
class LeaseStrategy final : public Strategy {
 public:
  bool AllowCreateOnUpdate() const override { return true; }
};

// Endpoints: PUT creates, any client may replace them (upstream's endpoints strategy).
class EndpointsStrategy final : public Strategy {
 public:
  bool AllowCreateOnUpdate() const override { return true; }
  bool AllowUnconditionalUpdate() const override { return true; }
};

// Kinds whose objects any client may replace without a resourceVersion.
class PlainStrategy final : public Strategy {
 public:
  bool AllowUnconditionalUpdate() const override { return true; }
};

}  // namespace cubelet::registry
