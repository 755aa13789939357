#include "admission/priority.h"

#include "admission/request_util.h"
#include "apierrors/apierrors.h"
#include "common/strings.h"

namespace cubelet::admission {
namespace {

constexpr char kPreemptLowerPriority[] = "PreemptLowerPriority";

}  // namespace

absl::Status PriorityAdmission::Admit(const Request& request, json::Value* object, const json::Value* old) const {
  if (!IsResource(request, "", "pods") || !request.subresource.empty() || object == nullptr) return absl::OkStatus();
  if (request.operation == Operation::kCreate) return AdmitPodCreate(request, object);
  if (request.operation == Operation::kUpdate && old != nullptr) {
    // Creation set these; validation keeps them immutable, so an update that omits them keeps
    // the stored ones instead of failing.
    json::Value& spec = object->Ensure({"spec"});
    for (const char* field : {"priority", "preemptionPolicy"}) {
      const json::Value* mine = spec.Find(field);
      const json::Value* stored = old->FindPath({"spec", field});
      if ((mine == nullptr || mine->is_null()) && stored != nullptr && !stored->is_null()) spec.Set(field, *stored);
    }
  }
  return absl::OkStatus();
}

absl::Status PriorityAdmission::AdmitPodCreate(const Request& request, json::Value* pod) const {
  json::Value& spec = pod->Ensure({"spec"});
  const std::string class_name = spec.GetString({"priorityClassName"});
  int64_t priority = 0;
  std::string policy;
  if (class_name.empty()) {
    auto found = classes_->DefaultClass();
    if (!found.ok()) {
      return apierrors::InternalError(StrCat("failed to get default priority class: ", found.status().message()));
    }
    if (found->has_value()) {
      const PriorityClassInfo& c = **found;
      spec.Set("priorityClassName", c.name);
      priority = c.value;
      policy = c.preemption_policy;
    } else {
      policy = kPreemptLowerPriority;
    }
  } else {
    std::shared_ptr<const json::Value> pc = lookup_->Get("scheduling.k8s.io", "priorityclasses", "", class_name);
    if (pc == nullptr) {
      return ForbiddenFor(request, pod, StrCat("no PriorityClass with name ", class_name, " was found"));
    }
    const json::Value* value = pc->Find("value");
    if (value == nullptr || !value->AsInt64()) {
      return apierrors::InternalError(StrCat("PriorityClass ", class_name, " has no value"));
    }
    priority = *value->AsInt64();
    policy = pc->GetString({"preemptionPolicy"});
  }
  if (const json::Value* given = spec.Find("priority"); given != nullptr && !given->is_null()) {
    auto v = given->AsInt64();
    if (!v || *v != priority) {
      return ForbiddenFor(request, pod,
                          StrCat("the integer value of priority (", v ? StrCat(*v) : given->number_literal(),
                                 ") must not be provided in pod spec; priority admission controller computed ",
                                 priority, " from the given PriorityClass name"));
    }
  }
  spec.Set("priority", priority);
  if (!policy.empty()) {
    std::string given = spec.GetString({"preemptionPolicy"});
    if (!given.empty() && given != policy) {
      return ForbiddenFor(request, pod,
                          StrCat("the string value of PreemptionPolicy (", given,
                                 ") must not be provided in pod spec; priority admission controller computed ", policy,
                                 " from the given PriorityClass name"));
    }
    spec.Set("preemptionPolicy", policy);
  }
  return absl::OkStatus();
}

absl::Status PriorityAdmission::Validate(const Request& request, const json::Value* object) const {
  if (!IsResource(request, "scheduling.k8s.io", "priorityclasses") || !request.subresource.empty() ||
      object == nullptr || (request.operation != Operation::kCreate && request.operation != Operation::kUpdate)) {
    return absl::OkStatus();
  }
  const json::Value* global = object->Find("globalDefault");
  if (global == nullptr || !global->is_bool() || !global->AsBool()) return absl::OkStatus();
  auto found = classes_->DefaultClass();
  if (!found.ok()) {
    return apierrors::InternalError(StrCat("failed to get default priority class: ", found.status().message()));
  }
  if (!found->has_value()) return absl::OkStatus();
  const std::string& existing = (*found)->name;
  if (request.operation == Operation::kCreate || existing != object->GetString({"metadata", "name"})) {
    return ForbiddenFor(
        request, object,
        StrCat("PriorityClass ", existing, " is already marked as default. Only one default can exist"));
  }
  return absl::OkStatus();
}

}  // namespace cubelet::admission
