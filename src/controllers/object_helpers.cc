#include "controllers/object_helpers.h"

#include <algorithm>

#include "apierrors/apierrors.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::controllers {
namespace {

bool IsNamespaces(const registry::ResourceInfo& info) { return info.group.empty() && info.resource == "namespaces"; }

bool EmptyList(const json::Value* list) { return list == nullptr || !list->is_array() || list->AsArray().empty(); }

}  // namespace

std::vector<OwnerReference> OwnerReferencesOf(const json::Value& object) {
  std::vector<OwnerReference> out;
  const json::Value* refs = object.FindPath({"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->is_array()) return out;
  for (const json::Value& r : refs->AsArray()) {
    OwnerReference ref;
    ref.api_version = r.GetString({"apiVersion"});
    ref.kind = r.GetString({"kind"});
    ref.name = r.GetString({"name"});
    ref.uid = r.GetString({"uid"});
    const json::Value* block = r.Find("blockOwnerDeletion");
    ref.block_owner_deletion = block != nullptr && block->is_bool() && block->AsBool();
    if (!ref.uid.empty()) out.push_back(std::move(ref));
  }
  return out;
}

bool HasFinalizer(const json::Value& object, std::string_view finalizer) {
  const json::Value* list = object.FindPath({"metadata", "finalizers"});
  if (list == nullptr || !list->is_array()) return false;
  return std::any_of(list->AsArray().begin(), list->AsArray().end(),
                     [&](const json::Value& f) { return f.is_string() && f.AsString() == finalizer; });
}

bool BeingDeleted(const json::Value& object) {
  const json::Value* ts = object.FindPath({"metadata", "deletionTimestamp"});
  return ts != nullptr && !ts->is_null();
}

std::string GroupOf(std::string_view api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string() : std::string(api_version.substr(0, slash));
}

std::string ObjectKey(std::string_view namespace_, std::string_view name) {
  return namespace_.empty() ? std::string(name) : StrCat(namespace_, "/", name);
}

absl::Status RemoveFinalizer(registry::ResourceStore* store, const std::string& namespace_, const std::string& name,
                             const std::string& uid, std::string_view finalizer) {
  const registry::ResourceInfo& info = store->info();
  registry::UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    if (current.GetString({"metadata", "uid"}) != uid) return apierrors::NotFound(info.GroupResource(), name);
    json::Value next = current;
    json::Value* list = next.FindPath({"metadata", "finalizers"});
    if (list == nullptr || !list->is_array()) return next;
    json::Array& items = list->AsArray();
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const json::Value& f) { return f.is_string() && f.AsString() == finalizer; }),
                items.end());
    if (items.empty()) next["metadata"].Erase("finalizers");
    return next;
  };
  if (!IsNamespaces(info)) {
    return store->GuaranteedUpdate(namespace_, name, transform, false, false, registry::WriteOptions{}).status();
  }
  // The generic update removes an object being deleted once metadata.finalizers is empty, but a
  // namespace must also wait for spec.finalizers (upstream's namespace store decides that in
  // ShouldDeleteDuringUpdate, which this registry lacks): write below the strategy, then let
  // Delete decide, as it does consult the namespace's own finalizers.
  ASSIGN_OR_RETURN(registry::ObjectPtr written, store->StorageUpdate(namespace_, name, transform));
  const json::Value& ns = *written->object;
  if (!BeingDeleted(ns) || !EmptyList(ns.FindPath({"metadata", "finalizers"})) ||
      !EmptyList(ns.FindPath({"spec", "finalizers"}))) {
    return absl::OkStatus();
  }
  registry::DeleteOptions options;
  options.preconditions.uid = uid;
  auto deleted = store->Delete(namespace_, name, options);
  if (!deleted.ok() && !apierrors::IsNotFound(deleted.status())) return deleted.status();
  return absl::OkStatus();
}

absl::Status RemoveOwnerReferences(registry::ResourceStore* store, const std::string& namespace_,
                                   const std::string& name, const std::string& uid,
                                   const std::set<std::string>& owner_uids) {
  const registry::ResourceInfo& info = store->info();
  registry::UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    if (current.GetString({"metadata", "uid"}) != uid) return apierrors::NotFound(info.GroupResource(), name);
    json::Value next = current;
    json::Value* refs = next.FindPath({"metadata", "ownerReferences"});
    if (refs == nullptr || !refs->is_array()) return next;
    json::Array& items = refs->AsArray();
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const json::Value& r) { return owner_uids.contains(r.GetString({"uid"})); }),
                items.end());
    if (items.empty()) next["metadata"].Erase("ownerReferences");
    return next;
  };
  return store->GuaranteedUpdate(namespace_, name, transform, false, false, registry::WriteOptions{}).status();
}

}  // namespace cubelet::controllers
