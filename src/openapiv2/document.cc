#include "openapiv2/document.h"

#include <string>
#include <utility>

#include "common/strings.h"
#include "openapiv2/internal/definitions.h"
#include "openapiv2/internal/paths.h"

namespace cubelet::openapiv2 {

using json::Value;

Document BuildDocument(const schema::Schema& schema, const std::vector<registry::ResourceInfo>& resources,
                       std::string_view kubernetes_version) {
  std::vector<std::string> problems;
  internal::PathsBuilder paths(schema, &problems);
  for (const registry::ResourceInfo& info : resources) paths.AddResource(info);

  std::vector<std::string> roots(paths.referenced().begin(), paths.referenced().end());
  absl::StatusOr<Value> definitions = internal::BuildDefinitions(schema, roots, paths.lists());
  if (!definitions.ok()) problems.push_back(std::string(definitions.status().message()));

  Document out;
  Value& doc = out.swagger;
  doc = Value::EmptyObject();
  doc.Set("swagger", "2.0");
  Value info = Value::EmptyObject();
  info.Set("title", "Kubernetes");
  info.Set("version", kubernetes_version);
  doc.Set("info", std::move(info));
  doc.Set("paths", paths.Build());
  doc.Set("definitions", definitions.ok() ? std::move(*definitions) : Value::EmptyObject());

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

  if (!problems.empty()) {
    std::string message = "OpenAPI v2 document is incomplete:";
    for (const std::string& p : problems) StrAppend(&message, " ", p, ";");
    message.pop_back();
    out.status = absl::InternalError(message);
  }
  return out;
}

}  // namespace cubelet::openapiv2
