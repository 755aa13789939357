#include "registry/node_strategy.h"

#include "common/strings.h"

namespace cubelet::registry {

void NodeStrategy::PrepareForCreate(json::Value* object) const {
  // The kubelet registers with its full status; only the dynamic-config leftovers go.
  if (json::Value* spec = object->Find("spec"); spec != nullptr) spec->Erase("configSource");
  if (json::Value* status = object->Find("status"); status != nullptr) status->Erase("config");
}

FieldErrors NodeStrategy::Validate(const json::Value& object) const {
  FieldErrors errors;
  const json::Value* taints = object.FindPath({"spec", "taints"});
  if (taints != nullptr && taints->is_array()) {
    const json::Array& items = taints->AsArray();
    for (size_t i = 0; i < items.size(); ++i) {
      std::string field = StrCat("spec.taints[", i, "]");
      if (items[i].GetString({"key"}).empty()) errors.push_back(apierrors::RequiredCause(StrCat(field, ".key")));
      std::string effect = items[i].GetString({"effect"});
      if (effect.empty()) {
        errors.push_back(apierrors::RequiredCause(StrCat(field, ".effect")));
      } else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
        errors.push_back(apierrors::NotSupportedCause(StrCat(field, ".effect"), json::Value(effect),
                                                      {"NoExecute", "NoSchedule", "PreferNoSchedule"}));
      }
      for (size_t j = 0; j < i; ++j) {
        if (items[j].GetString({"key"}) == items[i].GetString({"key"}) && items[j].GetString({"effect"}) == effect) {
          errors.push_back(apierrors::DuplicateCause(field, json::Value(StrCat(items[i].GetString({"key"}), ":", effect))));
        }
      }
    }
  }
  return errors;
}

void NodeStrategy::AddSelectableFields(const json::Value& object, selectors::Fields* fields) const {
  const json::Value* u = object.FindPath({"spec", "unschedulable"});
  (*fields)["spec.unschedulable"] = u != nullptr && u->is_bool() && u->AsBool() ? "true" : "false";
}

void NamespaceStrategy::PrepareForCreate(json::Value* object) const {
  object->Ensure({"status"}).Set("phase", "Active");
  json::Value finalizers = json::Value::EmptyArray();
  finalizers.Append(kNamespaceFinalizer);
  object->Ensure({"spec"}).Set("finalizers", std::move(finalizers));
}

void NamespaceStrategy::PrepareForUpdate(json::Value* object, const json::Value& old) const {
  // spec.finalizers changes only through the finalize subresource (the namespace controller).
  if (const json::Value* f = old.FindPath({"spec", "finalizers"}); f != nullptr) {
    object->Ensure({"spec"}).Set("finalizers", *f);
  } else if (json::Value* spec = object->Find("spec"); spec != nullptr) {
    spec->Erase("finalizers");
  }
}

void NamespaceStrategy::AddSelectableFields(const json::Value& object, selectors::Fields* fields) const {
  (*fields)["status.phase"] = object.GetString({"status", "phase"});
  (*fields)["name"] = object.GetString({"metadata", "name"});  // upstream's legacy alias
}

bool NamespaceStrategy::BlocksRemoval(const json::Value& object) const {
  const json::Value* f = object.FindPath({"spec", "finalizers"});
  return f != nullptr && f->is_array() && !f->AsArray().empty();
}

void NamespaceStrategy::Default(json::Value* object) const {
  // Every namespace is selectable by its name (upstream sets this label on create and update).
  std::string name = object->GetString({"metadata", "name"});
  if (!name.empty()) object->Ensure({"metadata", "labels"}).Set("kubernetes.io/metadata.name", name);
}

bool NamespaceStrategy::BeginDelete(json::Value* object) const {
  const json::Value* f = object->FindPath({"spec", "finalizers"});
  if (f == nullptr || !f->is_array() || f->AsArray().empty()) return false;
  object->Ensure({"status"}).Set("phase", "Terminating");
  return true;
}

}  // namespace cubelet::registry
