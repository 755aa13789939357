// Owns: the OpenAPI v3 `components.schemas` of cubelet-server's kinds, built from the schema
// table in upstream's shape, so kubectl explain and kubectl's OpenAPI-driven apply read them as
// they read upstream's documents: struct fields refer to their types through
// "allOf":[{"$ref":...}] next to the field's description; Time, MicroTime, Quantity and
// IntOrString are named schemas as upstream has them; kinds carry
// x-kubernetes-group-version-kind; fields carry the patch and list extensions.
// Does not own: the `paths` (operations and their parameters) or serving the documents
// (apiserver/).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "schema/schema.h"

namespace cubelet::schema {

// Component names of the scalar types that upstream documents as named schemas.
inline constexpr std::string_view kTimeSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
inline constexpr std::string_view kMicroTimeSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
inline constexpr std::string_view kQuantitySchemaName = "io.k8s.apimachinery.pkg.api.resource.Quantity";
inline constexpr std::string_view kIntOrStringSchemaName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

// The `components.schemas` object for `root_types` (qualified struct names, e.g.
// "io.k8s.api.core.v1.Pod") and every type they reference, keyed by qualified name in sorted
// order. NotFound when a root type is not in the schema.
absl::StatusOr<json::Value> ComponentSchemas(const Schema& schema, const std::vector<std::string>& root_types);

// The component name of the struct type of a kind (its qualified name), or nullopt.
std::optional<std::string> KindSchemaName(const Schema& schema, const GroupVersionKind& gvk);

// "#/components/schemas/<name>".
std::string SchemaRef(std::string_view schema_name);

// {"group":G,"kind":K,"version":V}: an element of x-kubernetes-group-version-kind, as operations
// and kinds carry it (kubectl compares these objects for equality, so all three keys are
// always present).
json::Value GroupVersionKindJson(const GroupVersionKind& gvk);

}  // namespace cubelet::schema
