#include "registry/pod_strategy.h"

#include "api/defaults.h"
#include "api/json_codec.h"
#include "api/qos.h"
#include "api/validation.h"

#include <algorithm>
#include "common/strings.h"
#include "json/parse.h"
#include "json/write.h"

namespace cubelet::registry {
namespace {

constexpr char kUpdateForbidden[] =
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

// Copies the image of each container of `from` into `to` when both lists have the same names.
void CopyImages(const json::Value* from, json::Value* to) {
  if (from == nullptr || to == nullptr || !from->is_array() || !to->is_array()) return;
  const json::Array& a = from->AsArray();
  json::Array& b = to->AsArray();
  if (a.size() != b.size()) return;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].GetString({"name"}) != b[i].GetString({"name"})) continue;
    if (const json::Value* image = a[i].Find("image"); image != nullptr) b[i].Set("image", *image);
  }
}

bool ContainsAll(const json::Value* list, const json::Value* subset) {
  if (subset == nullptr || !subset->is_array()) return true;
  if (list == nullptr || !list->is_array()) return subset->AsArray().empty();
  for (const json::Value& want : subset->AsArray()) {
    bool found = false;
    for (const json::Value& have : list->AsArray()) found = found || have == want;
    if (!found) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string> kPodSelectableFields = {
    "spec.nodeName",  "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
    "status.phase",   "status.podIP",       "status.nominatedNodeName"};

void PodStrategy::PrepareForCreate(json::Value* object) const {
  json::Value status = json::Value::EmptyObject();
  status.Set("phase", "Pending");
  const json::Value* gates = object->FindPath({"spec", "schedulingGates"});
  if (gates != nullptr && gates->is_array() && !gates->AsArray().empty()) {
    json::Value condition = json::Value::EmptyObject();
    condition.Set("type", "PodScheduled");
    condition.Set("status", "False");
    condition.Set("lastProbeTime", nullptr);
    condition.Set("lastTransitionTime", nullptr);
    condition.Set("reason", "SchedulingGated");
    condition.Set("message", "Scheduling is blocked due to non-empty scheduling gates");
    status.Set("conditions", json::Array{std::move(condition)});
  }
  object->Set("status", std::move(status));
}

void PodStrategy::Default(json::Value* object) const {
  // Defaults go through src/api's typed model, the same code that defaults static pods, so a
  // pod means the same on the agent and in the API. Fields the model does not know are kept.
  json::Value status = object->Find("status") != nullptr ? *object->Find("status") : json::Value();
  auto pod = api::DecodePod(json::Write(*object));
  if (!pod.ok()) return;  // Validate reports it
  api::SetPodDefaults(&*pod);
  auto encoded = json::Parse(api::EncodePod(*pod));
  if (!encoded.ok()) return;
  std::string qos = api::GetPodQos(*pod);
  *object = std::move(*encoded);
  if (!status.is_null()) {
    if (status.is_object() && status.Find("qosClass") == nullptr) status.Set("qosClass", qos);
    object->Set("status", std::move(status));
  }
}

FieldErrors PodStrategy::Validate(const json::Value& object) const {
  FieldErrors errors;
  auto pod = api::DecodePod(json::Write(object));
  if (!pod.ok()) {
    errors.push_back(apierrors::CauseFromMessage(ToStd(pod.status().message())));
    return errors;
  }
  for (const std::string& message : api::ValidatePod(*pod)) {
    // Metadata is checked by the generic store with the API's own rules.
    if (message.rfind("metadata.", 0) == 0) continue;
    errors.push_back(apierrors::CauseFromMessage(message));
  }
  return errors;
}

FieldErrors PodStrategy::ValidateUpdate(const json::Value& object, const json::Value& old) const {
  FieldErrors errors = Validate(object);
  const json::Value* spec = object.Find("spec");
  const json::Value* old_spec = old.Find("spec");
  if (spec == nullptr || old_spec == nullptr) return errors;
  // What may change: container images, activeDeadlineSeconds, added tolerations, removed
  // scheduling gates. Everything else must be as it was.
  json::Value masked = *old_spec;
  CopyImages(spec->Find("containers"), masked.Find("containers"));
  CopyImages(spec->Find("initContainers"), masked.Find("initContainers"));
  for (const char* field : {"activeDeadlineSeconds", "tolerations", "schedulingGates"}) {
    if (const json::Value* v = spec->Find(field); v != nullptr) {
      masked.Set(field, *v);
    } else {
      masked.Erase(field);
    }
  }
  if (!(masked == *spec) || !ContainsAll(spec->Find("tolerations"), old_spec->Find("tolerations"))) {
    errors.push_back(apierrors::ForbiddenCause("spec", kUpdateForbidden));
  }
  if (!ContainsAll(old_spec->Find("schedulingGates"), spec->Find("schedulingGates"))) {
    errors.push_back(apierrors::ForbiddenCause("spec.schedulingGates", "only deletion is allowed, but found new scheduling gates"));
  }
  return errors;
}

void PodStrategy::PrepareForStatusUpdate(json::Value* object, const json::Value& old) const {
  // Owner references belong to the main resource (upstream podStatusStrategy).
  json::Value& meta = object->Ensure({"metadata"});
  if (const json::Value* owners = old.FindPath({"metadata", "ownerReferences"}); owners != nullptr) {
    meta.Set("ownerReferences", *owners);
  } else {
    meta.Erase("ownerReferences");
  }
}

FieldErrors PodStrategy::ValidateStatusUpdate(const json::Value& object, const json::Value& old) const {
  (void)old;
  FieldErrors errors;
  // Conditions and container statuses must keep the keys every client requires (upstream's
  // ValidatePodStatusUpdate), or one bad status patch breaks every typed client's pod list.
  if (const json::Value* conditions = object.FindPath({"status", "conditions"}); conditions != nullptr && conditions->is_array()) {
    const json::Array& items = conditions->AsArray();
    for (size_t i = 0; i < items.size(); ++i) {
      std::string field = StrCat("status.conditions[", i, "]");
      if (items[i].GetString({"type"}).empty()) errors.push_back(apierrors::RequiredCause(StrCat(field, ".type")));
      std::string status = items[i].GetString({"status"});
      if (status != "True" && status != "False" && status != "Unknown") {
        errors.push_back(apierrors::NotSupportedCause(StrCat(field, ".status"), json::Value(status), {"False", "True", "Unknown"}));
      }
    }
  }
  for (const char* list : {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"}) {
    const json::Value* statuses = object.FindPath({"status", list});
    if (statuses == nullptr || !statuses->is_array()) continue;
    const json::Array& items = statuses->AsArray();
    for (size_t i = 0; i < items.size(); ++i) {
      std::string field = StrCat("status.", list, "[", i, "]");
      if (items[i].GetString({"name"}).empty()) errors.push_back(apierrors::RequiredCause(StrCat(field, ".name")));
    }
  }
  std::string phase = object.GetString({"status", "phase"});
  static const std::vector<std::string> kPhases = {"Failed", "Pending", "Running", "Succeeded", "Unknown"};
  if (!phase.empty() && std::find(kPhases.begin(), kPhases.end(), phase) == kPhases.end()) {
    errors.push_back(apierrors::NotSupportedCause("status.phase", json::Value(phase), kPhases));
  }
  return errors;
}

void PodStrategy::AddSelectableFields(const json::Value& object, selectors::Fields* fields) const {
  (*fields)["spec.nodeName"] = object.GetString({"spec", "nodeName"});
  (*fields)["spec.restartPolicy"] = object.GetString({"spec", "restartPolicy"});
  (*fields)["spec.schedulerName"] = object.GetString({"spec", "schedulerName"});
  (*fields)["spec.serviceAccountName"] = object.GetString({"spec", "serviceAccountName"});
  const json::Value* host_network = object.FindPath({"spec", "hostNetwork"});
  (*fields)["spec.hostNetwork"] = host_network != nullptr && host_network->is_bool() && host_network->AsBool() ? "true" : "false";
  (*fields)["status.phase"] = object.GetString({"status", "phase"});
  // status.podIP is the first of podIPs (upstream 1.32 selects by podIPs[0]).
  std::string ip = object.GetString({"status", "podIP"});
  if (const json::Value* ips = object.FindPath({"status", "podIPs"}); ips != nullptr && ips->is_array() && !ips->AsArray().empty()) {
    ip = ips->AsArray()[0].GetString({"ip"}, ip);
  }
  (*fields)["status.podIP"] = ip;
  (*fields)["status.nominatedNodeName"] = object.GetString({"status", "nominatedNodeName"});
}

std::optional<int64_t> PodStrategy::GracePeriod(const json::Value& object, std::optional<int64_t> requested) const {
  int64_t period = 0;
  if (requested) {
    period = *requested;
  } else if (const json::Value* g = object.FindPath({"spec", "terminationGracePeriodSeconds"}); g != nullptr && g->AsInt64()) {
    period = *g->AsInt64();
  }
  // An unscheduled pod has nothing running to stop, a finished one has stopped already.
  if (object.GetString({"spec", "nodeName"}).empty()) period = 0;
  std::string phase = object.GetString({"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") period = 0;
  if (period < 0) period = 1;
  return period;
}

}  // namespace cubelet::registry
