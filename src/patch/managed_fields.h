// Owns: the metadata.managedFields entries of an object (upstream metav1.ManagedFieldsEntry) as
// cubelet-server reads and writes them: one entry per manager identity, entries sorted as
// upstream sorts them, times as RFC 3339 seconds.
// Does not own: what goes into the field sets (field_manager.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "json/value.h"
#include "patch/field_set.h"

namespace cubelet::patch {

inline constexpr std::string_view kOperationApply = "Apply";
inline constexpr std::string_view kOperationUpdate = "Update";

struct ManagedEntry {
  std::string manager;
  std::string operation;    // kOperationApply or kOperationUpdate
  std::string api_version;  // "v1"
  std::string time;         // "2024-05-01T10:00:00Z"; empty when the entry has none
  std::string subresource;  // "" or "status"
  FieldSet fields;

  // Upstream's manager identity: an applier is one entry whatever apiVersion it applies with,
  // an updater one entry per apiVersion.
  bool SameIdentity(const ManagedEntry& other) const;
};

// The entries of `object`'s metadata.managedFields (none when absent). InvalidArgument for an
// entry without manager-independent essentials (operation Apply/Update, apiVersion, fieldsType
// FieldsV1, a well-formed fieldsV1); upstream resets such managedFields.
absl::StatusOr<std::vector<ManagedEntry>> DecodeManagedFields(const json::Value& object);

// The managedFields list for `entries`: entries with empty sets dropped, sorted by operation,
// time, manager, apiVersion and subresource.
json::Value EncodeManagedFields(std::vector<ManagedEntry> entries);

// Sets (or, for no entries, removes) metadata.managedFields of `object`.
void SetManagedFields(json::Value* object, std::vector<ManagedEntry> entries);

// RFC 3339 in UTC with second precision, as metav1.Time serialises: "2024-05-01T10:00:00Z".
std::string FormatManagedTime(absl::Time t);

}  // namespace cubelet::patch
