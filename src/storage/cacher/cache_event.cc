#include "storage/cacher/cache_event.h"

#include <utility>

#include "json/write.h"

namespace cubelet::storage::cacher::internal {

ObjectPtr Restamp(const CachedObject& object, int64_t revision) {
  auto out = std::make_shared<CachedObject>();
  out->key = object.key;
  out->namespace_ = object.namespace_;
  out->name = object.name;
  out->mod_revision = revision;
  auto value = std::make_shared<json::Value>(object.object ? *object.object : json::Value::EmptyObject());
  value->Ensure({"metadata", "resourceVersion"}) = json::Value(std::to_string(revision));
  out->json = json::Write(*value);
  out->object = std::move(value);
  out->labels = object.labels;
  out->fields = object.fields;
  return out;
}

Filter::Filter(std::string namespace_, std::string name, selectors::LabelSelector labels,
               selectors::FieldSelector fields, std::string_view indexed_field)
    : namespace_(std::move(namespace_)),
      name_(std::move(name)),
      labels_(std::move(labels)),
      fields_(std::move(fields)) {
  lookup_namespace_ = namespace_;
  if (lookup_namespace_.empty()) {
    if (auto ns = fields_.RequiresExactMatch("metadata.namespace")) lookup_namespace_ = *ns;
  }
  lookup_name_ = name_;
  if (lookup_name_.empty()) {
    if (auto n = fields_.RequiresExactMatch("metadata.name")) lookup_name_ = *n;
  }
  if (!indexed_field.empty()) index_value_ = fields_.RequiresExactMatch(indexed_field);
}

bool Filter::Matches(const CachedObject& object) const {
  if (!namespace_.empty() && object.namespace_ != namespace_) return false;
  if (!name_.empty() && object.name != name_) return false;
  if (!labels_.empty() && !labels_.Matches(object.labels)) return false;
  if (!fields_.empty() && !fields_.Matches(object.fields)) return false;
  return true;
}

std::string_view FieldValue(const CachedObject& object, std::string_view field) {
  auto it = object.fields.find(field);
  return it == object.fields.end() ? std::string_view() : std::string_view(it->second);
}

EventConverter::EventConverter(const CacheEvent& event) : event_(event) {
  added_ = WatchEvent{.type = EventType::kAdded, .object = event.object, .revision = event.revision,
                      .initial_events_end = false};
  modified_ = WatchEvent{.type = EventType::kModified, .object = event.object, .revision = event.revision,
                      .initial_events_end = false};
  deleted_ = WatchEvent{.type = EventType::kDeleted, .object = nullptr, .revision = event.revision,
                      .initial_events_end = false};
}

const WatchEvent* EventConverter::Convert(const Filter& filter) {
  const bool cur = event_.type != EventType::kDeleted && event_.object && filter.Matches(*event_.object);
  const bool old = event_.prev && filter.Matches(*event_.prev);
  if (cur) return old ? &modified_ : &added_;
  if (!old) return nullptr;
  if (!deleted_ready_) {
    if (event_.type == EventType::kDeleted) {
      deleted_.object = event_.object;
    } else {
      if (!event_.prev_at_revision) event_.prev_at_revision = Restamp(*event_.prev, event_.revision);
      deleted_.object = event_.prev_at_revision;
    }
    deleted_ready_ = true;
  }
  return &deleted_;
}

}  // namespace cubelet::storage::cacher::internal
