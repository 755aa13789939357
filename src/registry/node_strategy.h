// Owns: the node and namespace strategies (upstream pkg/registry/core/node/strategy.go and
// namespace/strategy.go): a node keeps the status its kubelet registered with, selectable by
// spec.unschedulable; a namespace is Active on create, keeps the kubernetes finalizer, and is
// Terminating from its first delete until its content is gone.
// Does not own: node lifecycle (taints from heartbeats) or deleting namespace content (controllers).
#pragma once

#include "registry/resource.h"

namespace cubelet::registry {

class NodeStrategy final : public Strategy {
 public:
  void PrepareForCreate(json::Value* object) const override;
  FieldErrors Validate(const json::Value& object) const override;
  bool AllowUnconditionalUpdate() const override { return true; }
  void AddSelectableFields(const json::Value& object, selectors::Fields* fields) const override;
};

class NamespaceStrategy final : public Strategy {
 public:
  void PrepareForCreate(json::Value* object) const override;
  void PrepareForUpdate(json::Value* object, const json::Value& old) const override;
  bool AllowUnconditionalUpdate() const override { return true; }
  void AddSelectableFields(const json::Value& object, selectors::Fields* fields) const override;
  bool BeginDelete(json::Value* object) const override;
  bool BlocksRemoval(const json::Value& object) const override;
  void Default(json::Value* object) const override;
};

// The finalizer that keeps a namespace until its content is deleted.
inline constexpr char kNamespaceFinalizer[] = "kubernetes";

}  // namespace cubelet::registry
