#include "json/merge_patch.h"

namespace cubelet::json {

Value ApplyMergePatch(const Value& target, const Value& patch) {
  if (!patch.is_object()) return patch;
  Value result = target.is_object() ? target : Value::EmptyObject();
  for (const auto& [key, value] : patch.AsObject()) {
    if (value.is_null()) {
      result.Erase(key);
      continue;
    }
    const Value* existing = result.Find(key);
    Value merged = ApplyMergePatch(existing != nullptr ? *existing : Value(), value);
    result.Set(key, std::move(merged));
  }
  return result;
}

Value CreateMergePatch(const Value& original, const Value& modified) {
  if (!original.is_object() || !modified.is_object()) return modified;
  Value patch = Value::EmptyObject();
  for (const auto& [key, value] : original.AsObject()) {
    if (modified.Find(key) == nullptr) patch.Set(key, Value());
  }
  for (const auto& [key, value] : modified.AsObject()) {
    const Value* before = original.Find(key);
    if (before == nullptr) {
      patch.Set(key, value);
    } else if (!(*before == value)) {
      patch.Set(key, before->is_object() && value.is_object() ? CreateMergePatch(*before, value) : value);
    }
  }
  return patch;
}

}  // namespace cubelet::json
