// Owns: the NamespaceLifecycle admission plugin (upstream apiserver/pkg/admission/plugin/
// namespace/lifecycle): nothing is created or updated in a namespace that does not exist,
// nothing is created in one that is terminating, and default, kube-system and kube-public are
// never deleted.
// Does not own: emptying a deleted namespace (the namespace controller), namespace objects'
// own rules (registry/).
#pragma once

#include "absl/status/status.h"
#include "admission/admission.h"

namespace cubelet::admission {

// Thread-safe (reads only through `lookup`).
class NamespaceLifecycle {
 public:
  explicit NamespaceLifecycle(const ObjectLookup* lookup) : lookup_(lookup) {}

  // Creates and updates of namespaced objects (the mutating phase, so nothing is allocated for
  // an object that cannot be written).
  absl::Status Admit(const Request& request, const json::Value* object) const;
  // Deletes of immortal namespaces, and the creating subresources (binding, eviction) that
  // only pass through validation.
  absl::Status Validate(const Request& request, const json::Value* object) const;

 private:
  // NotFound when the namespace is missing; Forbidden (with upstream's NamespaceTerminating
  // cause) when `creating` and it is being terminated.
  absl::Status CheckNamespace(const Request& request, const json::Value* object, bool creating) const;

  const ObjectLookup* lookup_;
};

}  // namespace cubelet::admission
