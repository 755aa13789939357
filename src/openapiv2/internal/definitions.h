// Owns: the `definitions` of cubelet-server's OpenAPI v2 document, built from the schema table in
// the shape kube-apiserver's v2 document has them, because kubectl 1.27 and 1.28 walk them
// (kube-openapi util/proto) for explain, client-side validation and strategic merge: a struct
// field names its type with "$ref" beside the field's own description; Time, MicroTime, Quantity
// and IntOrString are named string schemas; kinds carry x-kubernetes-group-version-kind; fields
// carry the patch and list extensions; every listable kind has its <Kind>List definition.
// Does not own: the paths (paths.h), the protobuf encoding (protobuf.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "registry/resource.h"
#include "schema/schema.h"

namespace cubelet::openapiv2::internal {

// Definitions that are not struct types of the schema table.
inline constexpr std::string_view kPatchDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
inline constexpr std::string_view kStatusDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
inline constexpr std::string_view kDeleteOptionsDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
inline constexpr std::string_view kListMetaDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

// "#/definitions/<name>".
std::string DefinitionRef(std::string_view name);

// {"$ref": "#/definitions/<name>"}.
json::Value RefSchema(std::string_view name);

// {"group":G,"kind":K,"version":V}, all three keys always present (kubectl compares them).
json::Value GroupVersionKindJson(std::string_view group, std::string_view version, std::string_view kind);

// The definitions object: one member per name in `roots` (struct types of `schema`, or
// kPatchDefinition) and per type they reference, plus "<schema_type>List" for each of `lists`,
// sorted by name. NotFound when a root is neither.
absl::StatusOr<json::Value> BuildDefinitions(const schema::Schema& schema, const std::vector<std::string>& roots,
                                             const std::vector<const registry::ResourceInfo*>& lists);

}  // namespace cubelet::openapiv2::internal
