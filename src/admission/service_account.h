// Owns: the ServiceAccount admission plugin (upstream plugin/pkg/admission/serviceaccount), its
// mutating part for pods: a pod without spec.serviceAccountName gets "default", the account
// must exist (403 "error looking up service account ns/name: ..."), and a pod without
// imagePullSecrets gets the account's. Mirror pods are left alone but may not reference a
// service account, secrets or service account token projections.
// Does not own: token volumes (no TokenRequest yet, so none are injected), the mountable-secrets
// policy (kubernetes.io/enforce-mountable-secrets, not implemented), creating default accounts
// (the server's controller).
#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "admission/admission.h"
#include "common/clock.h"

namespace cubelet::admission {

struct ServiceAccountOptions {
  // The "default" account is created by a controller just after its namespace, so upstream
  // looks for it a few times before giving up.
  int default_account_attempts = 10;
  absl::Duration retry_interval = absl::Milliseconds(100);
};

// Thread-safe. May block up to attempts × interval (on `clock`) for a missing default account.
class ServiceAccountAdmission {
 public:
  ServiceAccountAdmission(const ObjectLookup* lookup, Clock* clock, ServiceAccountOptions options)
      : lookup_(lookup), clock_(clock), options_(options) {}

  absl::Status Admit(const Request& request, json::Value* pod) const;

 private:
  absl::Status ValidateMirrorPod(const Request& request, const json::Value& pod) const;
  std::shared_ptr<const json::Value> FindAccount(std::string_view namespace_, std::string_view name) const;

  const ObjectLookup* lookup_;
  Clock* clock_;
  ServiceAccountOptions options_;
};

}  // namespace cubelet::admission
