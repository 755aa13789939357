#include "printers/cells.h"

#include "common/strings.h"
#include "printers/descriptions.h"

namespace cubelet::printers {

std::string Str(const json::Value& object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object.FindPath(path);
  return v != nullptr && v->is_string() ? v->AsString() : std::string();
}

int64_t Int(const json::Value& object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object.FindPath(path);
  if (v == nullptr) return 0;
  return v->AsInt64().value_or(0);
}

bool Bool(const json::Value& object, std::initializer_list<std::string_view> path, bool fallback) {
  const json::Value* v = object.FindPath(path);
  return v != nullptr && v->is_bool() ? v->AsBool() : fallback;
}

const json::Array& Arr(const json::Value& object, std::initializer_list<std::string_view> path) {
  static const json::Array kEmpty;
  const json::Value* v = object.FindPath(path);
  return v != nullptr && v->is_array() ? v->AsArray() : kEmpty;
}

bool Present(const json::Value& object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object.FindPath(path);
  return v != nullptr && v->is_object();
}

std::map<std::string, std::string> StringMap(const json::Value& object, std::initializer_list<std::string_view> path) {
  std::map<std::string, std::string> out;
  const json::Value* v = object.FindPath(path);
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& [key, value] : v->AsObject()) {
    if (value.is_string()) out[key] = value.AsString();
  }
  return out;
}

int64_t CountAt(const json::Value& object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object.FindPath(path);
  return v == nullptr ? 0 : static_cast<int64_t>(v->size());
}

std::optional<absl::Time> Timestamp(const json::Value& object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object.FindPath(path);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, v->AsString(), &t, &error)) return std::nullopt;
  return t;
}

std::string Since(std::optional<absl::Time> t, absl::Time now) {
  if (!t.has_value()) return "<unknown>";
  return HumanDuration(now - *t);
}

std::string Age(const json::Value& object, absl::Time now) {
  return Since(Timestamp(object, {"metadata", "creationTimestamp"}), now);
}

std::string FormatLabels(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ",";
    StrAppend(&out, key, "=", value);
  }
  return out.empty() ? "<none>" : out;
}

std::string_view TrimSpace(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Column MakeColumn(std::string name, std::string type, std::string_view description, int priority,
                  std::string format) {
  Column c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.format = std::move(format);
  c.description = std::string(description);
  c.priority = priority;
  return c;
}

Column NameColumn() {
  return MakeColumn("Name", "string", descriptions::kName, 0, "name");
}

Column AgeColumn() {
  return MakeColumn("Age", "string", descriptions::kCreationTimestamp);
}

}  // namespace cubelet::printers
