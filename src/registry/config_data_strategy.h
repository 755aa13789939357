// Owns: the strategies of the configuration-data kinds, secrets and configmaps (upstream
// pkg/registry/core/secret and configmap strategies): key names, the 1 MiB size limit, the
// `immutable` flag, a secret's type (Opaque by default, fixed once set) and stringData folded
// into data.
// Does not own: who may read them (auth/'s node authorizer).
#pragma once

#include "registry/resource.h"

namespace cubelet::registry {

class SecretStrategy final : public Strategy {
 public:
  void Default(json::Value* object) const override;
  FieldErrors Validate(const json::Value& object) const override;
  FieldErrors ValidateUpdate(const json::Value& object, const json::Value& old) const override;
  bool AllowUnconditionalUpdate() const override { return true; }
  void AddSelectableFields(const json::Value& object, selectors::Fields* fields) const override;
};

class ConfigMapStrategy final : public Strategy {
 public:
  FieldErrors Validate(const json::Value& object) const override;
  FieldErrors ValidateUpdate(const json::Value& object, const json::Value& old) const override;
  bool AllowUnconditionalUpdate() const override { return true; }
};

}  // namespace cubelet::registry
