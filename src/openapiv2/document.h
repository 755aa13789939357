// Owns: cubelet-server's OpenAPI v2 (Swagger 2.0) document, built once from the schema table and
// the served resources in the shape kube-apiserver serves at /openapi/v2: swagger, info, the
// paths (internal/paths.h), the definitions, and the bearer-token security definition. kubectl
// 1.27 and 1.28 need it for create/apply validation, explain and client-side apply's strategic
// merge patches; newer kubectl reads OpenAPI v3 instead.
// Does not own: which operations and definitions there are (openapi/operations.h,
// openapi/schemas.h: the same for the v3 documents), the protobuf encoding (protobuf.h), serving
// it (service.h).
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "json/value.h"
#include "registry/resource.h"
#include "schema/schema.h"

namespace cubelet::openapiv2 {

struct Document {
  json::Value swagger;  // the Swagger 2.0 JSON document
  // OK, or what had to be left out because the schema table lacks a type a served resource names
  // (a broken invariant of the built-in tables; the rest is still published).
  absl::Status status;
};

// `kubernetes_version` ("v1.32.0") is info.version.
Document BuildDocument(const schema::Schema& schema, const std::vector<registry::ResourceInfo>& resources,
                       std::string_view kubernetes_version);

}  // namespace cubelet::openapiv2
