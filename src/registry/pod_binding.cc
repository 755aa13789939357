#include "registry/pod_binding.h"

#include <utility>

#include "apierrors/apierrors.h"
#include "common/strings.h"
#include "registry/object_meta.h"

namespace cubelet::registry {
namespace {

// Sets (or adds) the PodScheduled condition to True.
void SetScheduled(json::Value* pod, absl::Time now) {
  json::Value& conditions = pod->Ensure({"status", "conditions"});
  if (!conditions.is_array()) conditions = json::Value::EmptyArray();
  json::Value condition = json::Value::EmptyObject();
  condition.Set("type", "PodScheduled");
  condition.Set("status", "True");
  condition.Set("lastProbeTime", nullptr);
  condition.Set("lastTransitionTime", FormatMetaTime(now));
  for (json::Value& c : conditions.AsArray()) {
    if (c.GetString({"type"}) == "PodScheduled") {
      c = std::move(condition);
      return;
    }
  }
  conditions.Append(std::move(condition));
}

}  // namespace

absl::StatusOr<ObjectPtr> BindPod(ResourceStore& pods, const PodBinding& binding, absl::Time now) {
  const apierrors::GroupResource resource{"", "pods"};
  const std::string& pod = binding.name;
  return pods.StorageUpdate(
      binding.namespace_, pod, [&](const json::Value& current) -> absl::StatusOr<json::Value> {
        if (!binding.uid.empty() && current.GetString({"metadata", "uid"}) != binding.uid) {
          return apierrors::Conflict(resource, pod,
                                     StrCat("Precondition failed: UID in precondition: ", binding.uid,
                                            ", UID in object meta: ", current.GetString({"metadata", "uid"})));
        }
        if (!binding.resource_version.empty() &&
            current.GetString({"metadata", "resourceVersion"}) != binding.resource_version) {
          return apierrors::StaleConflict(resource, pod);
        }
        if (current.FindPath({"metadata", "deletionTimestamp"}) != nullptr) {
          return apierrors::Conflict(resource, pod, StrCat("pod ", pod, " is being deleted, cannot be assigned to a host"));
        }
        std::string node = current.GetString({"spec", "nodeName"});
        if (!node.empty()) {
          return apierrors::Conflict(resource, pod, StrCat("pod ", pod, " is already assigned to node \"", node, "\""));
        }
        const json::Value* gates = current.FindPath({"spec", "schedulingGates"});
        if (gates != nullptr && gates->is_array() && !gates->AsArray().empty()) {
          return apierrors::Conflict(resource, pod, StrCat("pod ", pod, " has non-empty .spec.schedulingGates"));
        }
        json::Value next = current;
        next.Ensure({"spec"}).Set("nodeName", binding.node);
        if (binding.annotations != nullptr && binding.annotations->is_object()) {
          json::Value& mine = next.Ensure({"metadata", "annotations"});
          for (const auto& [k, v] : binding.annotations->AsObject()) mine.Set(k, v);
        }
        SetScheduled(&next, now);
        return next;
      });
}

}  // namespace cubelet::registry
