#include "registry/event_strategy.h"

#include "common/strings.h"

namespace cubelet::registry {
namespace {

// core/v1 name → events.k8s.io/v1 name, for the fields that differ.
constexpr std::pair<const char*, const char*> kRenamed[] = {
    {"involvedObject", "regarding"},       {"message", "note"},
    {"reportingComponent", "reportingController"}, {"source", "deprecatedSource"},
    {"firstTimestamp", "deprecatedFirstTimestamp"}, {"lastTimestamp", "deprecatedLastTimestamp"},
    {"count", "deprecatedCount"},
};

json::Value Convert(const json::Value& in, bool to_events_v1, const char* api_version) {
  json::Value out = json::Value::EmptyObject();
  out.Set("apiVersion", api_version);
  out.Set("kind", "Event");
  if (!in.is_object()) return out;
  for (const auto& [key, value] : in.AsObject()) {
    if (key == "apiVersion" || key == "kind") continue;
    std::string name = key;
    for (const auto& [core, v1] : kRenamed) {
      if (to_events_v1 && key == core) name = v1;
      if (!to_events_v1 && key == v1) name = core;
    }
    out.Set(name, value);
  }
  return out;
}

}  // namespace

const std::vector<std::string> kEventSelectableFields = {
    "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",   "involvedObject.uid",
    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
    "reportingComponent", "source", "type"};

FieldErrors EventStrategy::Validate(const json::Value& object) const {
  FieldErrors errors;
  std::string ns = object.GetString({"metadata", "namespace"});
  std::string involved_ns = object.GetString({"involvedObject", "namespace"});
  if (!involved_ns.empty() && involved_ns != ns) {
    errors.push_back(apierrors::InvalidCause("involvedObject.namespace", json::Value(involved_ns),
                                             "does not match event.namespace"));
  }
  return errors;
}

void EventStrategy::AddSelectableFields(const json::Value& object, selectors::Fields* fields) const {
  for (const char* f : {"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"}) {
    (*fields)[StrCat("involvedObject.", f)] = object.GetString({"involvedObject", f});
  }
  (*fields)["reason"] = object.GetString({"reason"});
  (*fields)["reportingComponent"] = object.GetString({"reportingComponent"});
  std::string source = object.GetString({"source", "component"});
  (*fields)["source"] = source.empty() ? object.GetString({"reportingComponent"}) : source;
  (*fields)["type"] = object.GetString({"type"});
}

json::Value EventToEventsV1(const json::Value& core) { return Convert(core, true, "events.k8s.io/v1"); }
json::Value EventFromEventsV1(const json::Value& events_v1) { return Convert(events_v1, false, "v1"); }

FieldErrors ValidateEventsV1(const json::Value& e) {
  FieldErrors errors;
  if (e.GetString({"eventTime"}).empty()) errors.push_back(apierrors::RequiredCause("eventTime"));
  if (e.GetString({"reportingController"}).empty()) errors.push_back(apierrors::RequiredCause("reportingController"));
  if (e.GetString({"reportingInstance"}).empty()) errors.push_back(apierrors::RequiredCause("reportingInstance"));
  if (e.GetString({"action"}).empty()) errors.push_back(apierrors::RequiredCause("action"));
  if (e.GetString({"reason"}).empty()) errors.push_back(apierrors::RequiredCause("reason"));
  std::string type = e.GetString({"type"});
  if (type != "Normal" && type != "Warning") {
    errors.push_back(apierrors::NotSupportedCause("type", json::Value(type), {"Normal", "Warning"}));
  }
  return errors;
}

}  // namespace cubelet::registry
