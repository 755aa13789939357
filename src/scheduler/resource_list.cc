#include "scheduler/resource_list.h"

#include "common/strings.h"

namespace cubelet::scheduler {

absl::StatusOr<ResourceList> ParseResourceList(const json::Value* list, std::string_view field) {
  ResourceList out;
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_object()) {
    return absl::InvalidArgumentError(StrCat(field, ": expected an object, got ", json::TypeName(list->type())));
  }
  for (const auto& [name, value] : list->AsObject()) {
    std::string_view text;
    if (value.is_string()) {
      text = value.AsString();
    } else if (value.is_number()) {
      text = value.number_literal();
    } else {
      return absl::InvalidArgumentError(
          StrCat(field, ".", name, ": expected a quantity, got ", json::TypeName(value.type())));
    }
    absl::StatusOr<api::Quantity> q = api::Quantity::Parse(text);
    if (!q.ok()) return absl::InvalidArgumentError(StrCat(field, ".", name, ": ", q.status().message()));
    out[name] = *q;
  }
  return out;
}

void AddResourceList(ResourceList& to, const ResourceList& from) {
  for (const auto& [name, q] : from) {
    auto it = to.find(name);
    if (it == to.end()) {
      to.emplace(name, q);
    } else {
      it->second = it->second + q;
    }
  }
}

void MaxResourceList(ResourceList& to, const ResourceList& from) {
  for (const auto& [name, q] : from) {
    auto it = to.find(name);
    if (it == to.end()) {
      to.emplace(name, q);
    } else if (q.Compare(it->second) > 0) {
      it->second = q;
    }
  }
}

ResourceList WithDefaults(const ResourceList& list, const ResourceList& defaults) {
  ResourceList out = list;
  for (const auto& [name, q] : defaults) out.try_emplace(name, q);
  return out;
}

Resource ToResource(const ResourceList& list) {
  Resource r;
  for (const auto& [name, q] : list) {
    if (name == kResourceCpu) {
      r.milli_cpu += q.MilliValue();
    } else if (name == kResourceMemory) {
      r.memory += q.Value();
    } else if (name == kResourceEphemeralStorage) {
      r.ephemeral_storage += q.Value();
    } else if (name == kResourcePods) {
      r.allowed_pod_number += q.Value();
    } else {
      r.scalar[name] += q.Value();
    }
  }
  return r;
}

}  // namespace cubelet::scheduler
