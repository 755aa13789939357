#include "admission/namespace_lifecycle.h"

#include "admission/request_util.h"
#include "apierrors/apierrors.h"
#include "common/strings.h"

namespace cubelet::admission {
namespace {

bool IsImmortal(std::string_view name) { return name == "default" || name == "kube-system" || name == "kube-public"; }

}  // namespace

absl::Status NamespaceLifecycle::Admit(const Request& request, const json::Value* object) const {
  if (request.resource == nullptr || !request.resource->namespaced || request.namespace_.empty())
    return absl::OkStatus();
  if (request.operation != Operation::kCreate && request.operation != Operation::kUpdate) return absl::OkStatus();
  return CheckNamespace(request, object, request.operation == Operation::kCreate);
}

absl::Status NamespaceLifecycle::Validate(const Request& request, const json::Value* object) const {
  if (request.operation == Operation::kDelete && IsResource(request, "", "namespaces") && request.subresource.empty() &&
      IsImmortal(request.name)) {
    return apierrors::Forbidden({"", "namespaces"}, request.name, "this namespace may not be deleted");
  }
  // Bindings and evictions are creates upstream; they reach admission only here.
  if ((request.subresource == "binding" || request.subresource == "eviction") && request.resource != nullptr &&
      request.resource->namespaced && !request.namespace_.empty()) {
    return CheckNamespace(request, object, true);
  }
  return absl::OkStatus();
}

absl::Status NamespaceLifecycle::CheckNamespace(const Request& request, const json::Value* object,
                                                bool creating) const {
  std::shared_ptr<const json::Value> ns = lookup_->Get("", "namespaces", "", request.namespace_);
  if (ns == nullptr) return apierrors::NotFound({"", "namespaces"}, request.namespace_);
  if (!creating) return absl::OkStatus();
  // Upstream looks at status.phase; a namespace whose deletion has begun (deletionTimestamp)
  // without a finalizer to make it Terminating is on its way out just the same.
  const bool terminating =
      ns->GetString({"status", "phase"}) == "Terminating" || ns->FindPath({"metadata", "deletionTimestamp"}) != nullptr;
  if (!terminating) return absl::OkStatus();
  apierrors::ApiStatus status = apierrors::FromStatus(ForbiddenFor(
      request, object,
      StrCat("unable to create new content in namespace ", request.namespace_, " because it is being terminated")));
  if (!status.details) status.details = apierrors::Details{};
  status.details->causes.push_back(
      {"NamespaceTerminating", StrCat("namespace ", request.namespace_, " is being terminated"), "metadata.namespace"});
  return apierrors::Make(std::move(status));
}

}  // namespace cubelet::admission
