// Owns: the OpenAPI schemas of cubelet-server's types, built from the schema table in upstream's
// shape for both documents it publishes: the v3 `components.schemas` and the v2 (Swagger 2.0)
// `definitions`, so kubectl explain, kubectl's validation and its client-side apply (the
// x-kubernetes-patch-* extensions) read them as they read upstream's. Kinds carry
// x-kubernetes-group-version-kind; fields carry the patch and list extensions; Time, MicroTime,
// Quantity and IntOrString are named schemas. The two versions differ only where OpenAPI does:
// where the schemas live (#/components/schemas/ or #/definitions/), how a field that refers to a
// named type keeps its own description (v3 ignores the siblings of a $ref, so the reference is
// wrapped in allOf; v2 keeps them beside it), and how Quantity and IntOrString are typed (v3
// oneOf; v2, which has no oneOf, strings as kube-apiserver writes them).
// Does not own: the `paths` (operations and their parameters), the list and patch schemas of
// a document (openapi/schemas.h), or serving the documents (apiserver/, openapiv2/).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "schema/schema.h"

namespace cubelet::schema {

enum class OpenApiVersion { kV2, kV3 };

// Component names of the scalar types that upstream documents as named schemas.
inline constexpr std::string_view kTimeSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
inline constexpr std::string_view kMicroTimeSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
inline constexpr std::string_view kQuantitySchemaName = "io.k8s.apimachinery.pkg.api.resource.Quantity";
inline constexpr std::string_view kIntOrStringSchemaName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

// The named schemas for `root_types` (qualified struct names, e.g. "io.k8s.api.core.v1.Pod")
// and every type they reference, keyed by qualified name in sorted order: v3's
// `components.schemas`, or v2's `definitions`. NotFound when a root type is not in the schema.
absl::StatusOr<json::Value> ComponentSchemas(const Schema& schema, const std::vector<std::string>& root_types,
                                             OpenApiVersion version = OpenApiVersion::kV3);

// The component name of the struct type of a kind (its qualified name), or nullopt.
std::optional<std::string> KindSchemaName(const Schema& schema, const GroupVersionKind& gvk);

// "#/components/schemas/<name>" (v3) or "#/definitions/<name>" (v2).
std::string SchemaRef(std::string_view schema_name, OpenApiVersion version = OpenApiVersion::kV3);

// {"$ref": SchemaRef(schema_name)}.
json::Value RefSchema(std::string_view schema_name, OpenApiVersion version);

// A reference to `schema_name` that keeps `description` (when not empty) as its own: beside the
// $ref in v2, around an allOf holding it in v3.
json::Value DescribedRef(std::string_view schema_name, std::string_view description, OpenApiVersion version);

// {"group":G,"kind":K,"version":V}: an element of x-kubernetes-group-version-kind, as operations
// and kinds carry it (kubectl compares these objects for equality, so all three keys are
// always present).
json::Value GroupVersionKindJson(const GroupVersionKind& gvk);

}  // namespace cubelet::schema
