// Owns: server-side apply's view of a value through the schema table (upstream
// structured-merge-diff's typed package): the fields a configuration sets (ToFieldSet), the
// merge of a configuration into a live object (Merge), what changed between two objects
// (Compare), and removing the fields a manager gave up (Prune).
// Does not own: managers and their entries (field_manager.cc, managed_fields.h).
//
// How a position is owned, from its schema field:
// - scalars, atomic lists/maps/structs, and free-form values that are not objects: one leaf;
// - structs: their fields ("f:name"; the struct itself is not a member);
// - maps and free-form objects: their keys ("f:key", each a member);
// - associative lists (list type map keyed by list_map_keys, or lists with patch strategy merge
//   and a merge key): items "k:{...}" (members) and their fields;
// - sets (list type set, or `merge` lists of scalars): items "v:<json>".
// A missing key field named "protocol" counts as "TCP" (upstream's schema default for ports).
//
// The walks recurse once per level of the value: bounded by the schema's nesting for typed
// values and by json::Parse's 1000 levels for free-form ones (deeper values are refused with
// InvalidArgument); each frame is a few hundred bytes.
#pragma once

#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "patch/field_set.h"
#include "schema/schema.h"

namespace cubelet::patch {

enum class Shape { kLeaf, kStruct, kMap, kAssociativeList, kSet, kDeduced };

// How server-side apply treats one position of a value.
struct Position {
  Shape shape = Shape::kLeaf;
  const schema::StructType* struct_type = nullptr;  // kStruct
  const schema::TypeRef* elem = nullptr;            // kMap, lists: the element type
  std::span<const std::string> keys;                // kAssociativeList
};

// The position of a value of `type` held by `field` (nullptr for list items, map values and the
// root). A null `type` is a free-form value.
Position Describe(const schema::Schema& schema, const schema::TypeRef* type, const schema::Field* field);
// The root position of an object of struct type `type_name` (free-form when unknown).
Position DescribeRoot(const schema::Schema& schema, std::string_view type_name);

// The associative list item's path element ("k:{\"name\":\"web\"}"); InvalidArgument when the
// item is not an object or misses a key field.
absl::StatusOr<PathElement> KeyElement(const json::Value& item, std::span<const std::string> keys);
// The set item's path element ("v:\"a\"").
PathElement ValueElement(const json::Value& item);

struct Comparison {
  FieldSet added;
  FieldSet modified;
  FieldSet removed;
  bool same() const { return added.empty() && modified.empty() && removed.empty(); }
};

class TypedValues {
 public:
  TypedValues(const schema::Schema& schema, Position root) : schema_(schema), root_(root) {}

  // The fields `config` sets. InvalidArgument (naming the list) for an item without its keys or
  // with the same keys as another item, and for values nested too deeply.
  absl::StatusOr<FieldSet> ToFieldSet(const json::Value& config) const;
  // `live` with `config` merged in (config wins; items of associative lists and sets merge by
  // key, keeping live's order for items config does not name). `config` must have passed
  // ToFieldSet. Nulls in `config` are ignored.
  json::Value Merge(json::Value live, const json::Value& config) const;
  // What changed from `before` to `after` (leaves that differ, and nodes that appeared or went
  // away). Items without keys are skipped, so stored objects never make this fail.
  Comparison Compare(const json::Value& before, const json::Value& after) const;
  // Removes from `value` each member of `remove` that nothing in `keep` covers (neither the path
  // nor any path below it). Maps and lists emptied this way are removed too.
  void Prune(json::Value* value, const FieldSet& remove, const FieldSet& keep) const;

 private:
  const schema::Schema& schema_;
  Position root_;
};

}  // namespace cubelet::patch
