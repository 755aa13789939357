#include "openapiv2/document.h"

#include <string>
#include <utility>

#include "openapi/operations.h"
#include "openapi/schemas.h"
#include "openapiv2/internal/paths.h"

namespace cubelet::openapiv2 {

using json::Value;

Document BuildDocument(const schema::Schema& schema, const std::vector<registry::ResourceInfo>& resources,
                       std::string_view kubernetes_version) {
  std::vector<std::string> problems;
  std::vector<const registry::ResourceInfo*> served;
  for (const registry::ResourceInfo& info : resources) served.push_back(&info);
  const openapi::DocumentOperations operations = openapi::BuildOperations(schema, served, &problems);

  Document out;
  Value& doc = out.swagger;
  doc = Value::EmptyObject();
  doc.Set("swagger", "2.0");
  Value info = Value::EmptyObject();
  info.Set("title", "Kubernetes");
  info.Set("version", kubernetes_version);
  doc.Set("info", std::move(info));
  doc.Set("paths", internal::WritePaths(operations));
  doc.Set("definitions", openapi::DocumentSchemas(schema, operations, schema::OpenApiVersion::kV2, &problems));

  // kube-apiserver declares its bearer-token authentication; clients generated from the
  // document expect it.
  Value bearer = Value::EmptyObject();
  bearer.Set("description", "Bearer Token authentication");
  bearer.Set("in", "header");
  bearer.Set("name", "authorization");
  bearer.Set("type", "apiKey");
  Value security_definitions = Value::EmptyObject();
  security_definitions.Set("BearerToken", std::move(bearer));
  doc.Set("securityDefinitions", std::move(security_definitions));
  Value requirement = Value::EmptyObject();
  requirement.Set("BearerToken", Value::EmptyArray());
  Value security = Value::EmptyArray();
  security.Append(std::move(requirement));
  doc.Set("security", std::move(security));

  out.status = openapi::IncompleteStatus("OpenAPI v2 document", problems);
  return out;
}

}  // namespace cubelet::openapiv2
