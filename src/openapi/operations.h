// Owns: which paths and operations kube-apiserver publishes for a served resource and its
// subresources, the same in the OpenAPI v2 and v3 documents: the collection, item, all-namespaces
// and subresource paths; for each operation its method, x-kubernetes-action, operationId and tag
// in upstream's naming (patchCoreV1NamespacedPod, core_v1), x-kubernetes-group-version-kind, the
// parameters with their descriptions, the request body, the media types and the responses, by
// schema name. kubectl decides on server-side field validation from these (the PATCH operation
// carrying the kind's GVK must declare fieldValidation) and on the patch type of client-side
// apply from the PATCH operation's media types.
// Does not own: writing them in either version's shape (apiserver/openapi_documents.h,
// openapiv2/internal/paths.h), the schemas they name (schemas.h, schema/openapi.h).
#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "json/value.h"
#include "registry/resource.h"
#include "schema/openapi.h"
#include "schema/schema.h"

namespace cubelet::openapi {

// Named schemas the operations refer to that are not kinds of a resource.
inline constexpr std::string_view kPatchSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
inline constexpr std::string_view kStatusSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
inline constexpr std::string_view kDeleteOptionsSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
inline constexpr std::string_view kListMetaSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

using MediaTypes = std::span<const std::string_view>;

// The request bodies a PATCH accepts, in the order upstream's v2 document lists them (the v3
// document has them as map keys, sorted). kubectl's client-side apply computes a strategic merge
// patch only when the PATCH operation lists application/strategic-merge-patch+json.
inline constexpr std::string_view kPatchContentTypes[] = {
    "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
    "application/apply-patch+yaml"};

// Parameters are written inline in every operation (upstream's v2 document refers to shared
// #/parameters entries): kubectl compares parameter names and looks at inline parameters first.
struct Parameter {
  std::string_view in;    // "path" or "query"
  std::string_view name;  // "fieldValidation"
  std::string_view type;  // "string", "boolean", "integer"
  std::string description;
  bool required = false;
};

// One operation of a path, in neither version's shape.
struct Operation {
  std::string_view method;  // its key in the path item: get, put, post, delete, patch
  std::string_view action;  // x-kubernetes-action: list, get, post, put, patch, delete, deletecollection
  std::string operation_id;  // "listCoreV1NamespacedPod"
  std::string description;
  std::string tag;               // "core_v1"
  schema::GroupVersionKind gvk;  // x-kubernetes-group-version-kind
  std::vector<Parameter> parameters;  // its query parameters
  std::string body;                   // the request body's schema name; "" without a body
  bool body_required = false;
  MediaTypes consumes;  // kPatchContentTypes for a PATCH; empty: whatever the server decodes
  MediaTypes produces;  // what the responses are written as
  std::vector<int> codes;  // the success codes (401 is always possible besides)
  std::string response;    // the successful responses' schema name; "" for plain text (a log)
};

struct PathItem {
  std::vector<Parameter> parameters;  // shared by its operations: {name}, {namespace} and pretty
  std::vector<Operation> operations;  // in the order upstream's documents list them
};

// The operations of the resources one document publishes.
struct DocumentOperations {
  std::map<std::string, PathItem> paths;  // by path ("/api/v1/namespaces/{namespace}/pods/{name}"), sorted
  // The schema names of the resources' kinds and of their subresources' kinds.
  std::set<std::string> kind_schemas;
  // The listed resources: each has a <Kind>List schema (schemas.h).
  std::vector<const registry::ResourceInfo*> lists;
};

// The paths of `resources` and their subresources. A resource whose type the schema table lacks
// is left out, and so is a subresource whose kind it lacks; both are named in `problems` (a
// broken invariant of the built-in tables: the rest of the document is still published).
DocumentOperations BuildOperations(const schema::Schema& schema,
                                   const std::vector<const registry::ResourceInfo*>& resources,
                                   std::vector<std::string>* problems);

// The schema of `op`'s successful responses: a $ref to op.response, or a string (a log).
json::Value ResponseSchema(const Operation& op, schema::OpenApiVersion version);

// "api/v1" or "apis/<group>/<version>": a group version's path below /api or /apis.
std::string GroupVersionPath(std::string_view group, std::string_view version);

// The description upstream gives a success code's response: "OK", "Created", "Accepted".
std::string_view ResponseDescription(int code);

// OK when nothing is in `problems`; else Internal: "<document> is incomplete: p1; p2".
absl::Status IncompleteStatus(std::string_view document, const std::vector<std::string>& problems);

}  // namespace cubelet::openapi
