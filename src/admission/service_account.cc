#include "admission/service_account.h"

#include <algorithm>

#include "admission/request_util.h"
#include "authz/pod_references.h"
#include "common/strings.h"

namespace cubelet::admission {
namespace {

constexpr char kDefaultServiceAccount[] = "default";

bool HasTokenProjection(const json::Value& pod) {
  const json::Value* volumes = pod.FindPath({"spec", "volumes"});
  if (volumes == nullptr || !volumes->is_array()) return false;
  for (const json::Value& v : volumes->AsArray()) {
    const json::Value* sources = v.FindPath({"projected", "sources"});
    if (sources == nullptr || !sources->is_array()) continue;
    for (const json::Value& s : sources->AsArray()) {
      if (s.Find("serviceAccountToken") != nullptr) return true;
    }
  }
  return false;
}

}  // namespace

absl::Status ServiceAccountAdmission::Admit(const Request& request, json::Value* pod) const {
  if (!IsResource(request, "", "pods") || !request.subresource.empty() || request.operation != Operation::kCreate ||
      pod == nullptr) {
    return absl::OkStatus();
  }
  // The kubelet deletes a mirror pod whose spec differs from its static pod's, so mirror pods
  // are not changed, only checked.
  if (authz::IsMirrorPod(*pod)) return ValidateMirrorPod(request, *pod);

  json::Value& spec = pod->Ensure({"spec"});
  std::string account = spec.GetString({"serviceAccountName"});
  if (account.empty()) {
    account = kDefaultServiceAccount;
    spec.Set("serviceAccountName", account);
  }
  std::shared_ptr<const json::Value> found = FindAccount(request.namespace_, account);
  if (found == nullptr) {
    return ForbiddenFor(request, pod,
                        StrCat("error looking up service account ", request.namespace_, "/", account,
                               ": serviceaccount \"", account, "\" not found"));
  }
  const json::Value* pulls = spec.Find("imagePullSecrets");
  if (pulls == nullptr || !pulls->is_array() || pulls->AsArray().empty()) {
    const json::Value* from = found->Find("imagePullSecrets");
    if (from != nullptr && from->is_array() && !from->AsArray().empty()) {
      json::Array copied;
      for (const json::Value& ref : from->AsArray()) {
        json::Value entry = json::Value::EmptyObject();
        entry.Set("name", ref.GetString({"name"}));
        copied.push_back(std::move(entry));
      }
      spec.Set("imagePullSecrets", std::move(copied));
    }
  }
  return absl::OkStatus();
}

absl::Status ServiceAccountAdmission::ValidateMirrorPod(const Request& request, const json::Value& pod) const {
  if (!pod.GetString({"spec", "serviceAccountName"}).empty()) {
    return ForbiddenFor(request, &pod, "a mirror pod may not reference service accounts");
  }
  bool secrets = false;
  authz::VisitPodSecretNames(pod, [&](std::string_view) {
    secrets = true;
    return false;
  });
  if (secrets) return ForbiddenFor(request, &pod, "a mirror pod may not reference secrets");
  if (HasTokenProjection(pod)) {
    return ForbiddenFor(request, &pod, "a mirror pod may not use ServiceAccountToken volume projections");
  }
  return absl::OkStatus();
}

std::shared_ptr<const json::Value> ServiceAccountAdmission::FindAccount(std::string_view namespace_,
                                                                        std::string_view name) const {
  const int attempts = name == kDefaultServiceAccount ? std::max(1, options_.default_account_attempts) : 1;
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) clock_->SleepFor(options_.retry_interval);
    if (auto found = lookup_->Get("", "serviceaccounts", namespace_, name); found != nullptr) return found;
  }
  return nullptr;
}

}  // namespace cubelet::admission
