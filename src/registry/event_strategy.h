// Owns: events (upstream pkg/registry/core/event/strategy.go): their selectable fields, the
// namespace rule, and the conversion between core/v1 Event (how they are stored) and
// events.k8s.io/v1 Event (the same object under other names: regarding, note,
// reportingController, deprecated*).
// Does not own: their expiry (the store's TTL, ResourceInfo::ttl).
#pragma once

#include "registry/resource.h"

namespace cubelet::registry {

class EventStrategy final : public Strategy {
 public:
  FieldErrors Validate(const json::Value& object) const override;
  bool AllowUnconditionalUpdate() const override { return true; }
  bool AllowCreateOnUpdate() const override { return true; }
  void AddSelectableFields(const json::Value& object, selectors::Fields* fields) const override;
};

extern const std::vector<std::string> kEventSelectableFields;

// core/v1 Event → events.k8s.io/v1 Event, and back.
json::Value EventToEventsV1(const json::Value& core);
json::Value EventFromEventsV1(const json::Value& events_v1);
// What events.k8s.io/v1 requires of an event (upstream ValidateEventCreate for that group).
FieldErrors ValidateEventsV1(const json::Value& events_v1);

}  // namespace cubelet::registry
