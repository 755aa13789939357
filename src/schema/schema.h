// Owns: the schema table of every kind cubelet-server serves: for each type its fields, their
// types, descriptions and list semantics (strategic-merge patch strategy and merge key,
// server-side-apply list type and keys). One table drives strict decoding (decode.h), strategic
// merge and server-side apply (patch/), the OpenAPI v3 documents (openapi.h) and protobuf
// transcoding (kproto/), so a field is written down once. The tables are text (src/schema/types/*.schema) compiled into the binary.
// Does not own: semantic validation (registry/ strategies), defaults.
//
// The .schema format, one declaration per line ('#' starts a comment line):
//
//   package io.k8s.api.core.v1
//   type Pod gvk(,v1,Pod) "Pod is a collection of containers that can run on a host."
//     metadata  io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta  "Standard object's metadata."
//     spec      PodSpec  "Specification of the desired behavior of the pod."
//   type Container "A single application container that you want to run within a pod."
//     name   string  required  "Name of the container specified as a DNS_LABEL."
//     ports  []ContainerPort  merge(containerPort)  map(containerPort,protocol)  "List of ports."
//     args   []string  atomic  "Arguments to the entrypoint."
//     finalizers  []string  merge  set  "Must be empty before the object is deleted."
//
// - `package P` qualifies the type names that follow; references without a dot are relative to
//   the current package, references with a dot are fully qualified.
// - `type NAME [attrs] "description"` at column 0 starts a struct type; its fields follow,
//   indented. Type attributes: `gvk(GROUP,VERSION,KIND)` (the core group is empty) marks a
//   top-level kind (several allowed); `atomic` makes the struct one unit for apply.
// - A field line is `NAME TYPE [attrs] "description"`. TYPE is one of: string, int32, int64,
//   float64, boolean, byte (base64 string), date-time (metav1.Time), micro-time
//   (metav1.MicroTime), quantity (resource.Quantity: string or number), int-or-string, object
//   (a free-form object whose members are kept), any (any JSON value, kept as is); a type name;
//   `[]T`; `map[string]T`.
// - Field attributes: `required`; `merge(KEY)` strategic-merge patchStrategy "merge" with
//   patchMergeKey KEY (lists of structs); `merge` (lists of scalars merged as sets);
//   `retainKeys`; `replace`; `map(K1,K2,...)`, `set` or `atomic` (x-kubernetes-list-type, or
//   x-kubernetes-map-type for maps and structs); `enum(A,B,...)` documents the allowed values;
//   `pb(N)` is the field's number in upstream's protobuf message (generated.proto), and
//   `pb(E.N)` the number N of a field of a struct upstream embeds inline as its own message at
//   number E (Volume's VolumeSource at 2, Probe's ProbeHandler at 1, the LocalObjectReference of
//   ConfigMapKeySelector at 1); `pb(N,ptr)` says upstream's Go field is a pointer, so a zero value
//   that arrives in protobuf was set on purpose (value fields always travel, zero or not).
//   Numbers are unique within a type, and an embedded message's number is no field's number.
//   apiVersion and kind of a kind have none: they travel in the protobuf envelope.
// - Descriptions are double-quoted on one line; \" and \\ escape.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cubelet::schema {

enum class Kind {
  kString, kInt32, kInt64, kFloat64, kBoolean, kBytes, kTime, kMicroTime, kQuantity, kIntOrString,
  kObject,  // free-form object
  kAny,     // any JSON value
  kStruct,  // a named type of the table
  kList,
  kMap,     // map[string]elem
};

struct TypeRef {
  Kind kind = Kind::kString;
  std::string name;                    // kStruct: the fully qualified type name
  std::shared_ptr<const TypeRef> elem;  // kList, kMap: the element type
};

enum class ListType { kUnset, kAtomic, kSet, kMap };

struct Field {
  std::string name;
  TypeRef type;
  std::string description;
  bool required = false;
  // Strategic merge: "" (lists and maps are replaced, structs merged), "merge", "replace",
  // "retainKeys" or "merge,retainKeys"; the merge key for lists of structs.
  std::string patch_strategy;
  std::string patch_merge_key;
  // Server-side apply: how a list (or map/struct with kAtomic) is owned.
  ListType list_type = ListType::kUnset;
  std::vector<std::string> list_map_keys;
  std::vector<std::string> enum_values;
  // Protobuf (see `pb` above): the field number (0: the field has none), the number of the
  // inline-embedded message that carries it (0: the field is in the type's own message), and
  // whether upstream's Go field is a pointer.
  int protobuf_tag = 0;
  int protobuf_embedded = 0;
  bool protobuf_pointer = false;
};

struct GroupVersionKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  bool operator==(const GroupVersionKind&) const = default;
};

struct StructType {
  std::string name;  // fully qualified: "io.k8s.api.core.v1.Pod"
  std::string description;
  std::vector<Field> fields;
  std::vector<GroupVersionKind> gvks;
  bool atomic = false;

  const Field* FindField(std::string_view field_name) const;
};

// Immutable once built; thread-safe to share.
class Schema {
 public:
  // Parses .schema texts (each with the name used in error messages, "core_v1.schema:12: ...")
  // and checks that every referenced type exists and every merge key is a field of its element.
  static absl::StatusOr<Schema> Parse(const std::vector<std::pair<std::string, std::string>>& named_texts);
  // The schema compiled into the binary (src/schema/types/*.schema); built once.
  static const Schema& BuiltIn();

  const StructType* Find(std::string_view qualified_name) const;
  // The struct type marked with `gvk`, or nullptr.
  const StructType* FindKind(const GroupVersionKind& gvk) const;
  const std::map<std::string, StructType, std::less<>>& types() const { return types_; }

 private:
  std::map<std::string, StructType, std::less<>> types_;
};

// "[]v1.ContainerPort", "string", "map[string]string": a type as upstream's Go decoder names it
// in error messages.
std::string GoTypeName(const TypeRef& type);

}  // namespace cubelet::schema
