#include "openapiv2/internal/paths.h"

#include <string>
#include <utility>

namespace cubelet::openapiv2::internal {
namespace {

using json::Value;
using openapi::MediaTypes;

constexpr auto kV2 = schema::OpenApiVersion::kV2;

Value Strings(MediaTypes values) {
  Value list = Value::EmptyArray();
  for (std::string_view v : values) list.Append(v);
  return list;
}

// Query and path parameters: Swagger 2.0 types them inline.
Value Parameter(const openapi::Parameter& p) {
  Value v = Value::EmptyObject();
  v.Set("description", p.description);
  v.Set("in", p.in);
  v.Set("name", p.name);
  if (p.required) v.Set("required", true);
  v.Set("type", p.type);
  v.Set("uniqueItems", true);
  return v;
}

Value BodyParameter(const openapi::Operation& op) {
  Value v = Value::EmptyObject();
  v.Set("in", "body");
  v.Set("name", "body");
  if (op.body_required) v.Set("required", true);
  v.Set("schema", schema::RefSchema(op.body, kV2));
  return v;
}

Value Responses(const openapi::Operation& op) {
  Value responses = Value::EmptyObject();
  for (int code : op.codes) {
    Value r = Value::EmptyObject();
    r.Set("description", openapi::ResponseDescription(code));
    r.Set("schema", openapi::ResponseSchema(op, kV2));
    responses.Set(std::to_string(code), std::move(r));
  }
  Value unauthorized = Value::EmptyObject();
  unauthorized.Set("description", "Unauthorized");
  responses.Set("401", std::move(unauthorized));
  return responses;
}

Value Operation(const openapi::Operation& op) {
  // kube-apiserver's v2 document lets every operation without its own request media types
  // consume anything the server decodes.
  constexpr std::string_view kAnything[] = {"*/*"};
  constexpr std::string_view kHttps[] = {"https"};
  Value v = Value::EmptyObject();
  v.Set("consumes", Strings(op.consumes.empty() ? MediaTypes(kAnything) : op.consumes));
  v.Set("description", op.description);
  v.Set("operationId", op.operation_id);
  v.Set("produces", Strings(op.produces));
  v.Set("schemes", Strings(kHttps));
  Value tags = Value::EmptyArray();
  tags.Append(op.tag);
  v.Set("tags", std::move(tags));
  v.Set("x-kubernetes-action", op.action);
  v.Set("x-kubernetes-group-version-kind", schema::GroupVersionKindJson(op.gvk));
  Value parameters = Value::EmptyArray();
  if (!op.body.empty()) parameters.Append(BodyParameter(op));
  for (const openapi::Parameter& p : op.parameters) parameters.Append(Parameter(p));
  if (!parameters.AsArray().empty()) v.Set("parameters", std::move(parameters));
  v.Set("responses", Responses(op));
  return v;
}

}  // namespace

json::Value WritePaths(const openapi::DocumentOperations& operations) {
  Value paths = Value::EmptyObject();
  for (const auto& [path, item] : operations.paths) {
    Value v = Value::EmptyObject();
    Value parameters = Value::EmptyArray();
    for (const openapi::Parameter& p : item.parameters) parameters.Append(Parameter(p));
    v.Set("parameters", std::move(parameters));
    for (const openapi::Operation& op : item.operations) v.Set(op.method, Operation(op));
    paths.AsObject().emplace_back(path, std::move(v));
  }
  return paths;
}

}  // namespace cubelet::openapiv2::internal
