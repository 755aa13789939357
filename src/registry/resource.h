// Owns: what cubelet-server knows about each resource it serves (ResourceInfo: names, scope,
// verbs, subresources, schema type, storage prefix) and the per-kind Strategy interface
// (upstream registry/<group>/<kind>/strategy.go): defaults, validation, what create and update
// may change, selectable fields, graceful deletion. Objects are JSON documents (json::Value);
// only pods go through the typed model of src/api.
// Does not own: the generic verbs (resource_store.h), HTTP (apiserver/).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "apierrors/apierrors.h"
#include "json/value.h"
#include "selectors/selectors.h"

namespace cubelet::registry {

struct SubresourceInfo {
  std::string name;  // "status", "binding", "log", "eviction", "finalize"
  std::string kind;  // the kind it takes and returns ("Pod", "Binding", "Eviction")
  std::string group; // of that kind ("" = core, "policy" for Eviction)
  std::string version;
  std::vector<std::string> verbs;
};

struct ResourceInfo {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural: "pods"
  std::string singular;  // "pod"
  std::string kind;      // "Pod"
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;  // create, delete, deletecollection, get, list, patch, update, watch
  std::vector<SubresourceInfo> subresources;
  std::string schema_type;     // "io.k8s.api.core.v1.Pod"
  std::string storage_prefix;  // "/registry/pods/"
  // Another resource whose stored objects these are, converted on the way in and out
  // (events.k8s.io/v1 events are core/v1 events); "" when stored as themselves.
  std::string storage_resource;
  bool has_status = false;       // status is a subresource: the main resource keeps the old one
  bool return_deleted_object = false;  // DELETE answers with the object, not a Status (pods, ...)
  std::vector<std::string> selectable_fields;  // besides metadata.name and metadata.namespace
  std::string indexed_field;     // kept indexed by the watch cache ("spec.nodeName" for pods)
  absl::Duration ttl = absl::ZeroDuration();  // objects expire (events: 1 h)

  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
  apierrors::GroupResource GroupResource() const { return {group, resource}; }
  bool HasVerb(std::string_view verb) const;
  const SubresourceInfo* FindSubresource(std::string_view name) const;
};

// A field problem found by a strategy; becomes a cause of a 422 Invalid.
using FieldErrors = std::vector<apierrors::Cause>;

// Per-kind behaviour. Implementations are stateless or immutable (shared across threads). The
// generic store has already checked the schema (unknown fields, types) and object metadata
// (names, labels, annotations, namespace) before these run.
class Strategy {
 public:
  virtual ~Strategy() = default;

  // Clears what a client may not set and fills what the server sets on create (upstream
  // PrepareForCreate, then defaulting): e.g. a pod's status becomes {phase: Pending}.
  virtual void PrepareForCreate(json::Value* object) const { (void)object; }
  // Defaults applied on every write (create and update), as upstream's decoding defaults do.
  virtual void Default(json::Value* object) const { (void)object; }
  virtual FieldErrors Validate(const json::Value& object) const { (void)object; return {}; }

  // The main resource's update: `object` is what the client sent (already defaulted), `old` the
  // stored object. The generic store keeps old.status when ResourceInfo::has_status.
  virtual void PrepareForUpdate(json::Value* object, const json::Value& old) const { (void)object; (void)old; }
  virtual FieldErrors ValidateUpdate(const json::Value& object, const json::Value& old) const {
    (void)old;
    return Validate(object);
  }
  // The status subresource's update: the generic store has copied everything but status from
  // `old` (and status from the client).
  virtual void PrepareForStatusUpdate(json::Value* object, const json::Value& old) const { (void)object; (void)old; }
  virtual FieldErrors ValidateStatusUpdate(const json::Value& object, const json::Value& old) const {
    (void)object;
    (void)old;
    return {};
  }
  // Updates without metadata.resourceVersion are allowed (else 422 "must be specified for an update").
  virtual bool AllowUnconditionalUpdate() const { return false; }
  // PUT of a missing object creates it (leases, nodes? no: upstream allows it for few kinds).
  virtual bool AllowCreateOnUpdate() const { return false; }

  // The kind's selectable fields beyond metadata.name/namespace (which the store adds).
  virtual void AddSelectableFields(const json::Value& object, selectors::Fields* fields) const {
    (void)object;
    (void)fields;
  }

  // Graceful deletion (upstream CheckGracefulDelete): the grace period to apply, given the one
  // requested (nullopt: none requested); nullopt means delete at once.
  virtual std::optional<int64_t> GracePeriod(const json::Value& object, std::optional<int64_t> requested) const {
    (void)object;
    (void)requested;
    return std::nullopt;
  }
  // Called on every delete request before anything else decides, for kinds whose deletion is
  // a process (a namespace is Terminating until its content is gone and spec.finalizers is
  // empty). Returns true while the object must be kept (possibly changed) instead of removed.
  virtual bool BeginDelete(json::Value* object) const { (void)object; return false; }
  // True while an object marked deleted must stay although its metadata.finalizers are gone
  // (a namespace keeps spec.finalizers until its content is deleted; upstream's
  // ShouldDeleteDuringUpdate), so an update never removes it early.
  virtual bool BlocksRemoval(const json::Value& object) const { (void)object; return false; }
};

}  // namespace cubelet::registry
