#include "patch/managed_fields.h"

#include <algorithm>
#include <tuple>

#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::patch {
namespace {

int64_t Seconds(const std::string& time) {
  absl::Time t;
  std::string error;
  if (time.empty() || !absl::ParseTime(absl::RFC3339_full, time, &t, &error)) return 0;
  return absl::ToUnixSeconds(t);
}

absl::StatusOr<ManagedEntry> DecodeEntry(const json::Value& v, size_t i) {
  const std::string where = StrCat("metadata.managedFields[", i, "]");
  if (!v.is_object()) return absl::InvalidArgumentError(StrCat(where, ": expected an object"));
  ManagedEntry entry;
  entry.manager = v.GetString({"manager"});
  entry.operation = v.GetString({"operation"});
  entry.api_version = v.GetString({"apiVersion"});
  entry.time = v.GetString({"time"});
  entry.subresource = v.GetString({"subresource"});
  if (entry.operation != kOperationApply && entry.operation != kOperationUpdate) {
    return absl::InvalidArgumentError(StrCat(where, ".operation: must be `Apply` or `Update`"));
  }
  if (entry.api_version.empty()) {
    return absl::InvalidArgumentError(StrCat(where, ".apiVersion: must not be empty"));
  }
  const std::string fields_type = v.GetString({"fieldsType"});
  if (fields_type != "FieldsV1") {
    return absl::InvalidArgumentError(StrCat(where, ".fieldsType: invalid fieldsType \"", fields_type, "\""));
  }
  if (const json::Value* fields = v.Find("fieldsV1"); fields != nullptr && !fields->is_null()) {
    auto set = FieldSet::FromFieldsV1(*fields);
    if (!set.ok()) return Annotate(set.status(), where);
    entry.fields = *std::move(set);
  }
  return entry;
}

}  // namespace

bool ManagedEntry::SameIdentity(const ManagedEntry& other) const {
  if (manager != other.manager || operation != other.operation || subresource != other.subresource) return false;
  return operation == kOperationApply || api_version == other.api_version;
}

absl::StatusOr<std::vector<ManagedEntry>> DecodeManagedFields(const json::Value& object) {
  std::vector<ManagedEntry> out;
  const json::Value* list = object.FindPath({"metadata", "managedFields"});
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) return absl::InvalidArgumentError("metadata.managedFields: expected a list");
  for (size_t i = 0; i < list->AsArray().size(); ++i) {
    ASSIGN_OR_RETURN(ManagedEntry entry, DecodeEntry(list->AsArray()[i], i));
    // A repeated identity keeps the last entry's fields in the first one's place, as upstream's
    // decoding into a map keyed by identity does.
    auto same = std::find_if(out.begin(), out.end(), [&](const ManagedEntry& e) { return e.SameIdentity(entry); });
    if (same != out.end()) {
      *same = std::move(entry);
    } else {
      out.push_back(std::move(entry));
    }
  }
  return out;
}

json::Value EncodeManagedFields(std::vector<ManagedEntry> entries) {
  std::erase_if(entries, [](const ManagedEntry& e) { return e.fields.empty(); });
  std::stable_sort(entries.begin(), entries.end(), [](const ManagedEntry& a, const ManagedEntry& b) {
    return std::forward_as_tuple(a.operation, Seconds(a.time), a.manager, a.api_version, a.subresource) <
           std::forward_as_tuple(b.operation, Seconds(b.time), b.manager, b.api_version, b.subresource);
  });
  json::Array out;
  out.reserve(entries.size());
  for (ManagedEntry& e : entries) {
    json::Value entry = json::Value::EmptyObject();
    entry.Set("manager", std::move(e.manager));
    entry.Set("operation", std::move(e.operation));
    entry.Set("apiVersion", std::move(e.api_version));
    if (!e.time.empty()) entry.Set("time", std::move(e.time));
    entry.Set("fieldsType", "FieldsV1");
    entry.Set("fieldsV1", e.fields.ToFieldsV1());
    if (!e.subresource.empty()) entry.Set("subresource", std::move(e.subresource));
    out.push_back(std::move(entry));
  }
  return json::Value(std::move(out));
}

void SetManagedFields(json::Value* object, std::vector<ManagedEntry> entries) {
  json::Value encoded = EncodeManagedFields(std::move(entries));
  json::Value* metadata = object->Find("metadata");
  if (encoded.size() == 0) {
    if (metadata != nullptr && metadata->is_object()) metadata->Erase("managedFields");
    return;
  }
  if (metadata == nullptr || !metadata->is_object()) {
    object->Set("metadata", json::Value::EmptyObject());
    metadata = object->Find("metadata");
  }
  metadata->Set("managedFields", std::move(encoded));
}

std::string FormatManagedTime(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

}  // namespace cubelet::patch
