// Owns: sets of field paths as server-side apply tracks them (structured-merge-diff's
// fieldpath.Set): set algebra, the FieldsV1 JSON form stored in metadata.managedFields
// ({"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}), and a path as
// upstream prints it in conflict messages (.spec.containers[name="web"].image).
// Does not own: which fields a value has (typed_value.h) or the managedFields entries
// (managed_fields.h).
//
// Operations recurse once per path element; paths are at most as deep as the objects they
// describe (json::Parse caps those at 1000 levels) and each frame is small.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"

namespace cubelet::patch {

// One step of a path in its FieldsV1 spelling: "f:name" (a struct field or map key),
// "k:{\"name\":\"web\"}" (an associative list item by its keys, sorted by name), "v:\"a\""
// (a set item by value), "i:0" (a list item by index).
using PathElement = std::string;
using FieldPath = std::vector<PathElement>;

// ".spec.containers[name=\"web\"].image", ".metadata.finalizers[=\"a\"]", "[3]".
std::string FieldPathString(const FieldPath& path);

// Upstream's order of path elements: field names, then keys, then values, then indexes; within
// a kind by their text (indexes numerically).
struct PathElementLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// A set of paths, kept as a tree: each node says whether the path leading to it is a member,
// and holds the nodes below it. Nodes with no member below them are never kept, so a set is
// empty exactly when its root has no children. A value type.
class FieldSet {
 public:
  using Children = std::map<PathElement, FieldSet, PathElementLess>;

  bool empty() const { return children_.empty(); }
  void Insert(const FieldPath& path);
  bool Has(const FieldPath& path) const;

  void UnionWith(const FieldSet& other);
  // Removes the members of `other` (member by member; a member's descendants stay).
  void Subtract(const FieldSet& other);
  FieldSet Intersection(const FieldSet& other) const;
  // Removes `path` and every path below it.
  void RemoveTree(const FieldPath& path);
  // Removes the member `path` alone (the paths below it stay).
  void RemoveMember(const FieldPath& path);

  // Calls `fn` for every member, in upstream's order (a node before the paths below it).
  void ForEachMember(const std::function<void(const FieldPath&)>& fn) const;

  // The node for one more path element, or nullptr.
  const FieldSet* Child(std::string_view element) const;
  // Whether the path leading to this node is a member.
  bool member() const { return member_; }
  const Children& children() const { return children_; }

  bool operator==(const FieldSet& other) const;

  // {"f:a":{}, "f:b":{"f:c":{}, ".":{}}}: members with nothing below them are empty objects,
  // and "." marks a member that also has paths below it (written last, as upstream does).
  json::Value ToFieldsV1() const;
  // InvalidArgument for anything but objects of objects with well-formed path elements.
  static absl::StatusOr<FieldSet> FromFieldsV1(const json::Value& fields);

 private:
  static absl::Status Read(const json::Value& fields, FieldSet* out, std::string& where);

  bool member_ = false;
  Children children_;
};

}  // namespace cubelet::patch
