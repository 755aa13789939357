// Owns: the object metadata the controllers read and write: finalizers, owner references,
// deletion state, and the two writes every controller repeats (take a finalizer off an object,
// take owner references off an object), each guarded by the object's uid so a recreated object
// of the same name is never touched.
// Does not own: the store's write semantics (registry/resource_store.h).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "registry/resource_store.h"

namespace cubelet::controllers {

// Upstream's finalizer names (metav1.FinalizerDeleteDependents, FinalizerOrphanDependents) and
// the namespace finalizer the namespace controller owns (v1.FinalizerKubernetes).
inline constexpr char kForegroundDeletionFinalizer[] = "foregroundDeletion";
inline constexpr char kOrphanFinalizer[] = "orphan";
inline constexpr char kKubernetesFinalizer[] = "kubernetes";

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool block_owner_deletion = false;
  bool operator==(const OwnerReference&) const = default;
};

std::vector<OwnerReference> OwnerReferencesOf(const json::Value& object);
bool HasFinalizer(const json::Value& object, std::string_view finalizer);
bool BeingDeleted(const json::Value& object);
// The API group of an apiVersion: "" for "v1", "apps" for "apps/v1".
std::string GroupOf(std::string_view api_version);
// "namespace/name", or "name" for cluster-scoped objects, for logs.
std::string ObjectKey(std::string_view namespace_, std::string_view name);

// Removes `finalizer` from metadata.finalizers of the object with `uid`. The store removes an
// object being deleted once its last finalizer goes. NotFound when the object (with that uid)
// is gone. Writes nothing when the finalizer is not there.
absl::Status RemoveFinalizer(registry::ResourceStore* store, const std::string& namespace_, const std::string& name,
                             const std::string& uid, std::string_view finalizer);

// Removes the owner references to any of `owner_uids` from the object with `uid`. NotFound when
// the object (with that uid) is gone. Writes nothing when it has none of them.
absl::Status RemoveOwnerReferences(registry::ResourceStore* store, const std::string& namespace_,
                                   const std::string& name, const std::string& uid,
                                   const std::set<std::string>& owner_uids);

}  // namespace cubelet::controllers
