#include "scheduler/plugin_args.h"

#include <algorithm>

#include "common/status_macros.h"
#include "common/strings.h"
#include "scheduler/spec_fields.h"

namespace cubelet::scheduler::args {
namespace {

absl::Status CheckMembers(const json::Value& object, std::string_view path,
                          std::initializer_list<std::string_view> known, bool top_level) {
  for (const auto& [key, value] : object.AsObject()) {
    if (top_level && (key == "apiVersion" || key == "kind")) continue;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    return absl::InvalidArgumentError(StrCat("unknown field \"", spec::FieldPath(path, key), "\""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckTopLevel(const json::Value* args, std::string_view expected_kind,
                           std::initializer_list<std::string_view> known) {
  if (args == nullptr || args->is_null()) return absl::OkStatus();
  if (!args->is_object()) {
    return absl::InvalidArgumentError(StrCat("args: expected an object, got ", json::TypeName(args->type())));
  }
  if (const json::Value* kind = args->Find("kind"); kind != nullptr && !kind->is_null()) {
    if (!kind->is_string() || kind->AsString() != expected_kind) {
      return absl::InvalidArgumentError(StrCat("kind: expected \"", expected_kind, "\""));
    }
  }
  return CheckMembers(*args, "", known, /*top_level=*/true);
}

absl::Status CheckNested(const json::Value& object, std::string_view path,
                         std::initializer_list<std::string_view> known) {
  if (!object.is_object()) {
    return absl::InvalidArgumentError(StrCat(path, ": expected an object, got ", json::TypeName(object.type())));
  }
  return CheckMembers(object, path, known, /*top_level=*/false);
}

absl::Status CheckNoArgs(const json::Value* args, std::string_view plugin) {
  return CheckTopLevel(args, StrCat(plugin, "Args"), {});
}

absl::StatusOr<std::vector<ResourceSpec>> ParseResourceSpecs(const json::Value* list, std::string_view path) {
  std::vector<ResourceSpec> out;
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) {
    return absl::InvalidArgumentError(StrCat(path, ": expected an array, got ", json::TypeName(list->type())));
  }
  for (size_t i = 0; i < list->AsArray().size(); ++i) {
    const json::Value& item = list->AsArray()[i];
    const std::string item_path = spec::IndexPath(path, i);
    RETURN_IF_ERROR(CheckNested(item, item_path, {"name", "weight"}));
    ResourceSpec resource;
    ASSIGN_OR_RETURN(resource.name, spec::StringMember(item, "name", item_path));
    ASSIGN_OR_RETURN(std::optional<int64_t> weight, spec::IntMember(item, "weight", item_path));
    resource.weight = weight.value_or(0);
    out.push_back(std::move(resource));
  }
  return out;
}

}  // namespace cubelet::scheduler::args
