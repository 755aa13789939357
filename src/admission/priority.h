// Owns: the Priority admission plugin (upstream plugin/pkg/admission/priority, v1.32): a new
// pod's spec.priority and spec.preemptionPolicy come from its priorityClassName (or the global
// default class, else priority 0), a pod may not state a different priority itself, updates
// keep what creation resolved, and only one PriorityClass may be the global default. Since
// 1.17 upstream no longer limits the system-*-critical classes to kube-system, and neither
// does this.
// Does not own: PriorityClass validation (registry/), scheduling by priority (the scheduler).
#pragma once

#include "absl/status/status.h"
#include "admission/admission.h"
#include "admission/priority_class_cache.h"

namespace cubelet::admission {

// Thread-safe.
class PriorityAdmission {
 public:
  // `classes` answers which class is the global default; `lookup` resolves classes by name.
  PriorityAdmission(const ObjectLookup* lookup, PriorityClassCache* classes) : lookup_(lookup), classes_(classes) {}

  absl::Status Admit(const Request& request, json::Value* object, const json::Value* old) const;
  absl::Status Validate(const Request& request, const json::Value* object) const;

 private:
  absl::Status AdmitPodCreate(const Request& request, json::Value* pod) const;

  const ObjectLookup* lookup_;
  PriorityClassCache* classes_;
};

}  // namespace cubelet::admission
