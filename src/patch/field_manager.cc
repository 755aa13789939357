#include "patch/field_manager.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "patch/field_set.h"
#include "patch/managed_fields.h"
#include "patch/typed_value.h"

namespace cubelet::patch {
namespace {

// Fields nobody owns: the object's identity (apiVersion, kind, name, namespace; upstream strips
// them from every set) and the metadata the server keeps.
const std::vector<FieldPath>& IgnoredPaths() {
  static const auto* const paths = new std::vector<FieldPath>{
      {"f:apiVersion"},
      {"f:kind"},
      {"f:metadata", "f:name"},
      {"f:metadata", "f:namespace"},
      {"f:metadata", "f:uid"},
      {"f:metadata", "f:resourceVersion"},
      {"f:metadata", "f:generation"},
      {"f:metadata", "f:creationTimestamp"},
      {"f:metadata", "f:deletionTimestamp"},
      {"f:metadata", "f:deletionGracePeriodSeconds"},
      {"f:metadata", "f:managedFields"},
      {"f:metadata", "f:selfLink"},
  };
  return *paths;
}

void StripIgnored(FieldSet* set) {
  for (const FieldPath& path : IgnoredPaths()) set->RemoveTree(path);
  // The metadata node itself (it appears when metadata is created), not what is below it.
  set->RemoveMember({"f:metadata"});
}

void StripIgnored(Comparison* c) {
  StripIgnored(&c->added);
  StripIgnored(&c->modified);
  StripIgnored(&c->removed);
}

// Managed fields that cannot be read are dropped, as upstream resets them.
std::vector<ManagedEntry> EntriesOf(const json::Value* object) {
  if (object == nullptr) return {};
  auto entries = DecodeManagedFields(*object);
  return entries.ok() ? *std::move(entries) : std::vector<ManagedEntry>{};
}

// What a create is compared against: upstream compares with the kind's empty Go struct, whose
// struct-valued top-level fields (metadata, spec, status) are present but empty, so a creator
// owns what is inside them and not the fields themselves.
json::Value EmptyObjectOf(const Position& root) {
  json::Value out = json::Value::EmptyObject();
  if (root.struct_type == nullptr) return out;
  for (const schema::Field& field : root.struct_type->fields) {
    if (field.type.kind == schema::Kind::kStruct) out.AsObject().emplace_back(field.name, json::Value::EmptyObject());
  }
  return out;
}

}  // namespace

absl::StatusOr<ApplyResult> Apply(const schema::Schema& schema, std::string_view type_name, const json::Value* live,
                                  const json::Value& config, const ApplyRequest& request) {
  if (request.manager.empty()) return absl::InvalidArgumentError("fieldManager is required for apply requests");
  if (!config.is_object()) {
    return absl::InvalidArgumentError(
        StrCat("the applied configuration must be an object, got ", json::TypeName(config.type())));
  }
  if (const json::Value* managed = config.FindPath({"metadata", "managedFields"});
      managed != nullptr && !managed->is_null()) {
    return absl::InvalidArgumentError("metadata.managedFields must be nil");
  }
  if (live != nullptr && !live->is_object()) live = nullptr;
  const Position root = DescribeRoot(schema, type_name);
  const TypedValues typed(schema, root);
  ASSIGN_OR_RETURN(FieldSet applied, typed.ToFieldSet(config));
  StripIgnored(&applied);

  std::vector<ManagedEntry> others = EntriesOf(live);
  ManagedEntry self;
  self.manager = request.manager;
  self.operation = kOperationApply;
  self.api_version = request.api_version;
  FieldSet last_applied;
  auto previous = std::find_if(others.begin(), others.end(), [&](const ManagedEntry& e) { return e.SameIdentity(self); });
  if (previous != others.end()) {
    last_applied = std::move(previous->fields);
    self.time = std::move(previous->time);
    others.erase(previous);
  }

  static const json::Value* const kNothing = new json::Value(json::Value::EmptyObject());
  const json::Value& before = live != nullptr ? *live : *kNothing;
  json::Value merged = typed.Merge(before, config);
  // Fields this manager applied last time and no longer does go, unless someone else (or this
  // configuration) still owns them or something below them.
  if (!last_applied.empty()) {
    FieldSet owned = applied;
    for (const ManagedEntry& e : others) owned.UnionWith(e.fields);
    FieldSet gone = last_applied;
    gone.Subtract(owned);
    if (!gone.empty()) typed.Prune(&merged, gone, owned);
  }

  Comparison changes = typed.Compare(before, merged);
  StripIgnored(&changes);
  FieldSet changed = changes.modified;
  changed.UnionWith(changes.added);
  std::vector<Conflict> conflicts;
  std::vector<FieldSet> taken(others.size());
  for (size_t i = 0; i < others.size(); ++i) {
    taken[i] = others[i].fields.Intersection(changed);
    const ManagedEntry& e = others[i];
    taken[i].ForEachMember([&](const FieldPath& path) {
      // An applier's identity has no apiVersion (upstream prints just its name).
      conflicts.push_back(Conflict{.manager = e.manager,
                                   .api_version = e.operation == kOperationApply ? "" : e.api_version,
                                   .field = FieldPathString(path)});
    });
  }
  if (!conflicts.empty() && !request.force) {
    std::stable_sort(conflicts.begin(), conflicts.end(), [](const Conflict& a, const Conflict& b) {
      return std::tie(a.manager, a.api_version) < std::tie(b.manager, b.api_version);
    });
    ApplyResult result;
    result.conflicts = std::move(conflicts);
    return result;
  }
  for (size_t i = 0; i < others.size(); ++i) {
    others[i].fields.Subtract(taken[i]);
    others[i].fields.Subtract(changes.removed);
  }
  // A no-op apply keeps the entry's time, as upstream does.
  if (!changes.same() || self.time.empty() || !(last_applied == applied)) self.time = FormatManagedTime(request.now);
  self.fields = std::move(applied);
  others.push_back(std::move(self));
  SetManagedFields(&merged, std::move(others));
  ApplyResult result;
  result.object = std::move(merged);
  return result;
}

void RecordUpdate(const schema::Schema& schema, std::string_view type_name, const json::Value* old,
                  json::Value* updated, std::string_view manager, std::string_view api_version, absl::Time now) {
  if (updated == nullptr || !updated->is_object()) return;
  if (old != nullptr && !old->is_object()) old = nullptr;
  const Position root = DescribeRoot(schema, type_name);
  const TypedValues typed(schema, root);

  // Managed fields the update carries win (clients may edit them); otherwise the old ones stay.
  std::vector<ManagedEntry> entries = EntriesOf(updated);
  if (entries.empty()) entries = EntriesOf(old);

  // metadata.managedFields differ between the two but are ignored below.
  Comparison changes = old != nullptr ? typed.Compare(*old, *updated) : typed.Compare(EmptyObjectOf(root), *updated);
  StripIgnored(&changes);
  FieldSet changed = std::move(changes.modified);
  changed.UnionWith(changes.added);
  for (ManagedEntry& e : entries) {
    e.fields.Subtract(changed);
    e.fields.Subtract(changes.removed);
  }
  if (!changed.empty()) {
    ManagedEntry self;
    self.manager = manager;
    self.operation = kOperationUpdate;
    self.api_version = api_version;
    auto existing = std::find_if(entries.begin(), entries.end(), [&](const ManagedEntry& e) { return e.SameIdentity(self); });
    if (existing == entries.end()) {
      entries.push_back(std::move(self));
      existing = entries.end() - 1;
    }
    existing->fields.UnionWith(changed);
    existing->time = FormatManagedTime(now);
  }
  SetManagedFields(updated, std::move(entries));
}

}  // namespace cubelet::patch
