#include "openapi/schemas.h"

#include <algorithm>
#include <utility>

#include "common/strings.h"
#include "openapi/operations.h"

namespace cubelet::openapi {
namespace {

using json::Value;

Value Typed(std::string_view type, std::string_view description) {
  Value v = Value::EmptyObject();
  v.Set("description", description);
  v.Set("type", type);
  return v;
}

// A list kind's schema, as upstream generates it for <Kind>List.
Value ListSchema(const registry::ResourceInfo& info, schema::OpenApiVersion version) {
  Value properties = Value::EmptyObject();
  properties.Set("apiVersion", Typed("string", "API version of this representation of the list."));
  Value items = Value::EmptyObject();
  items.Set("description", StrCat("List of ", info.resource, "."));
  items.Set("items", schema::RefSchema(info.schema_type, version));
  items.Set("type", "array");
  properties.Set("items", std::move(items));
  properties.Set("kind", Typed("string", StrCat("Kind of the list; ", info.kind, "List here.")));
  constexpr std::string_view kMetadata = "Standard list metadata: resourceVersion, and continue for chunked lists.";
  properties.Set("metadata", schema::DescribedRef(kListMetaSchemaName, kMetadata, version));

  Value list = Value::EmptyObject();
  list.Set("description", StrCat(info.kind, "List is a list of ", info.kind, " objects."));
  list.Set("properties", std::move(properties));
  Value required = Value::EmptyArray();
  required.Append("items");
  list.Set("required", std::move(required));
  list.Set("type", "object");
  Value gvks = Value::EmptyArray();
  gvks.Append(schema::GroupVersionKindJson({info.group, info.version, info.kind + "List"}));
  list.Set("x-kubernetes-group-version-kind", std::move(gvks));
  return list;
}

Value PatchSchema() {
  return Typed("object",
               "Patch is the body of a PATCH request; its format is given by the Content-Type: a JSON patch (RFC "
               "6902), a JSON merge patch (RFC 7386), a strategic merge patch, or an apply configuration for "
               "server-side apply.");
}

}  // namespace

json::Value DocumentSchemas(const schema::Schema& schema, const DocumentOperations& operations,
                            schema::OpenApiVersion version, std::vector<std::string>* problems) {
  std::vector<std::string> types;
  for (const std::string& name : operations.kind_schemas) {
    // BuildOperations only names kinds the table has.
    if (schema.Find(name) != nullptr) types.push_back(name);
  }
  for (std::string_view name : {kStatusSchemaName, kDeleteOptionsSchemaName, kListMetaSchemaName}) {
    if (schema.Find(name) != nullptr) {
      types.emplace_back(name);
    } else {
      problems->push_back(StrCat("no schema type ", name));
    }
  }
  absl::StatusOr<Value> built = schema::ComponentSchemas(schema, types, version);
  if (!built.ok()) problems->push_back(std::string(built.status().message()));
  Value schemas = built.ok() ? std::move(*built) : Value::EmptyObject();
  for (const registry::ResourceInfo* info : operations.lists) {
    schemas.Set(info->schema_type + "List", ListSchema(*info, version));
  }
  schemas.Set(kPatchSchemaName, PatchSchema());
  json::Object& members = schemas.AsObject();
  std::sort(members.begin(), members.end(),
            [](const json::Member& a, const json::Member& b) { return a.first < b.first; });
  return schemas;
}

}  // namespace cubelet::openapi
