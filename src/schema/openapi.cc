#include "schema/openapi.h"

#include <deque>
#include <map>
#include <set>

#include "absl/status/status.h"
#include "common/strings.h"

namespace cubelet::schema {
namespace {

json::Value Scalar(std::string_view type, std::string_view format = "") {
  json::Value v = json::Value::EmptyObject();
  v.Set("type", type);
  if (!format.empty()) v.Set("format", format);
  return v;
}

json::Value StringList(const std::vector<std::string>& values) {
  json::Value list = json::Value::EmptyArray();
  for (const std::string& s : values) list.Append(s);
  return list;
}

json::Value OneOf(std::string_view first_type, std::string_view second_type) {
  json::Value one_of = json::Value::EmptyArray();
  one_of.Append(Scalar(first_type));
  one_of.Append(Scalar(second_type));
  return one_of;
}

// The named schemas of the scalar wrapper types, as upstream documents them. Its v2 document
// types Quantity and IntOrString as strings (the v2 parser has no oneOf), IntOrString with the
// int-or-string format kubectl's validation knows.
json::Value WrapperSchema(std::string_view name, OpenApiVersion version) {
  const bool v3 = version == OpenApiVersion::kV3;
  json::Value v = json::Value::EmptyObject();
  if (name == kTimeSchemaName || name == kMicroTimeSchemaName) {
    v.Set("description", name == kTimeSchemaName
                             ? "Time is a timestamp in RFC 3339 form (2006-01-02T15:04:05Z), written in UTC "
                               "with second precision."
                             : "MicroTime is a timestamp in RFC 3339 form with microsecond precision "
                               "(2006-01-02T15:04:05.000000Z), written in UTC.");
    v.Set("type", "string");
    v.Set("format", "date-time");
  } else if (name == kQuantitySchemaName) {
    v.Set("description",
          "Quantity is a fixed-point number with an optional suffix: a binary SI suffix (Ki, Mi, Gi, Ti, Pi, "
          "Ei), a decimal SI suffix (n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E6). Examples: "
          "100m, 1.5, 128Mi, 1e3. A JSON number is accepted as well.");
    if (v3) {
      v.Set("oneOf", OneOf("string", "number"));
    } else {
      v.Set("type", "string");
    }
  } else {
    v.Set("description", "IntOrString holds either an int32 or a string.");
    if (!v3) v.Set("type", "string");
    v.Set("format", "int-or-string");
    if (v3) v.Set("oneOf", OneOf("integer", "string"));
  }
  return v;
}

// The named schema a value of `type` refers to, or nullopt for a type written inline.
std::optional<std::string_view> NamedType(const TypeRef& type) {
  switch (type.kind) {
    case Kind::kTime: return kTimeSchemaName;
    case Kind::kMicroTime: return kMicroTimeSchemaName;
    case Kind::kQuantity: return kQuantitySchemaName;
    case Kind::kIntOrString: return kIntOrStringSchemaName;
    case Kind::kStruct: return type.name;
    default: return std::nullopt;
  }
}

class Builder {
 public:
  Builder(const Schema& schema, OpenApiVersion version) : schema_(schema), version_(version) {}

  absl::Status AddRoot(const std::string& name) {
    if (schema_.Find(name) == nullptr) return absl::NotFoundError(StrCat("no schema type ", name));
    Want(name);
    return absl::OkStatus();
  }

  json::Value Build() {
    while (!pending_.empty()) {
      std::string name = std::move(pending_.front());
      pending_.pop_front();
      const StructType* type = schema_.Find(name);
      out_[name] = type == nullptr ? WrapperSchema(name, version_) : StructSchema(*type);
    }
    json::Value schemas = json::Value::EmptyObject();
    for (auto& [name, value] : out_) schemas.AsObject().emplace_back(name, std::move(value));
    return schemas;
  }

 private:
  void Want(std::string_view name) {
    if (wanted_.insert(std::string(name)).second) pending_.emplace_back(name);
  }

  json::Value RefTo(std::string_view name) {
    Want(name);
    return RefSchema(name, version_);
  }

  // The schema of a value of `type` (without description or field extensions).
  json::Value TypeSchema(const TypeRef& type) {
    if (std::optional<std::string_view> name = NamedType(type)) return RefTo(*name);
    switch (type.kind) {
      case Kind::kString: return Scalar("string");
      case Kind::kInt32: return Scalar("integer", "int32");
      case Kind::kInt64: return Scalar("integer", "int64");
      case Kind::kFloat64: return Scalar("number", "double");
      case Kind::kBoolean: return Scalar("boolean");
      case Kind::kBytes: return Scalar("string", "byte");
      case Kind::kTime:
      case Kind::kMicroTime:
      case Kind::kQuantity:
      case Kind::kIntOrString:
      case Kind::kStruct: break;  // named: referred to above
      case Kind::kObject: {
        // An object without properties or additionalProperties: kubectl reads a map of
        // arbitrary values.
        json::Value v = Scalar("object");
        v.Set("x-kubernetes-preserve-unknown-fields", true);
        return v;
      }
      case Kind::kAny: {
        // Neither type nor properties: kubectl reads an arbitrary value.
        json::Value v = json::Value::EmptyObject();
        v.Set("x-kubernetes-preserve-unknown-fields", true);
        return v;
      }
      case Kind::kList: {
        json::Value v = Scalar("array");
        v.Set("items", type.elem ? TypeSchema(*type.elem) : json::Value::EmptyObject());
        return v;
      }
      case Kind::kMap: {
        json::Value v = Scalar("object");
        v.Set("additionalProperties", type.elem ? TypeSchema(*type.elem) : json::Value::EmptyObject());
        return v;
      }
    }
    return json::Value::EmptyObject();
  }

  json::Value FieldSchema(const Field& field) {
    json::Value v;
    if (std::optional<std::string_view> name = NamedType(field.type)) {
      Want(*name);
      v = DescribedRef(*name, field.description, version_);
    } else {
      v = TypeSchema(field.type);
      if (!field.description.empty()) v.Set("description", field.description);
    }
    if (!field.enum_values.empty()) {
      json::Value* target = field.type.kind == Kind::kList ? v.Find("items") : &v;
      if (target != nullptr && target->Find("$ref") == nullptr) target->Set("enum", StringList(field.enum_values));
    }
    if (!field.patch_strategy.empty()) v.Set("x-kubernetes-patch-strategy", field.patch_strategy);
    if (!field.patch_merge_key.empty()) v.Set("x-kubernetes-patch-merge-key", field.patch_merge_key);
    if (field.type.kind == Kind::kList) {
      switch (field.list_type) {
        case ListType::kAtomic: v.Set("x-kubernetes-list-type", "atomic"); break;
        case ListType::kSet: v.Set("x-kubernetes-list-type", "set"); break;
        case ListType::kMap:
          v.Set("x-kubernetes-list-type", "map");
          v.Set("x-kubernetes-list-map-keys", StringList(field.list_map_keys));
          break;
        case ListType::kUnset: break;
      }
    } else if (field.list_type == ListType::kAtomic) {
      v.Set("x-kubernetes-map-type", "atomic");
    }
    return v;
  }

  json::Value StructSchema(const StructType& type) {
    json::Value v = json::Value::EmptyObject();
    if (!type.description.empty()) v.Set("description", type.description);
    v.Set("type", "object");
    json::Value properties = json::Value::EmptyObject();
    std::vector<std::string> required;
    for (const Field& f : type.fields) {
      properties.AsObject().emplace_back(f.name, FieldSchema(f));
      if (f.required) required.push_back(f.name);
    }
    // A struct without fields stays a plain object: kubectl reads it as a map of anything.
    if (!type.fields.empty()) v.Set("properties", std::move(properties));
    if (!required.empty()) v.Set("required", StringList(required));
    if (!type.gvks.empty()) {
      json::Value gvks = json::Value::EmptyArray();
      for (const GroupVersionKind& gvk : type.gvks) gvks.Append(GroupVersionKindJson(gvk));
      v.Set("x-kubernetes-group-version-kind", std::move(gvks));
    }
    if (type.atomic) v.Set("x-kubernetes-map-type", "atomic");
    return v;
  }

  const Schema& schema_;
  const OpenApiVersion version_;
  std::set<std::string> wanted_;
  std::deque<std::string> pending_;
  std::map<std::string, json::Value> out_;  // sorted by name, as upstream's documents are
};

}  // namespace

absl::StatusOr<json::Value> ComponentSchemas(const Schema& schema, const std::vector<std::string>& root_types,
                                             OpenApiVersion version) {
  Builder builder(schema, version);
  for (const std::string& name : root_types) {
    if (absl::Status s = builder.AddRoot(name); !s.ok()) return s;
  }
  return builder.Build();
}

std::optional<std::string> KindSchemaName(const Schema& schema, const GroupVersionKind& gvk) {
  const StructType* type = schema.FindKind(gvk);
  if (type == nullptr) return std::nullopt;
  return type->name;
}

std::string SchemaRef(std::string_view schema_name, OpenApiVersion version) {
  return StrCat(version == OpenApiVersion::kV3 ? "#/components/schemas/" : "#/definitions/", schema_name);
}

json::Value RefSchema(std::string_view schema_name, OpenApiVersion version) {
  json::Value v = json::Value::EmptyObject();
  v.Set("$ref", SchemaRef(schema_name, version));
  return v;
}

json::Value DescribedRef(std::string_view schema_name, std::string_view description, OpenApiVersion version) {
  json::Value v = json::Value::EmptyObject();
  if (version == OpenApiVersion::kV3) {
    // OpenAPI 3.0 ignores the siblings of a $ref, so the reference is wrapped in allOf to keep
    // a description of its own, as upstream's documents do.
    json::Value all_of = json::Value::EmptyArray();
    all_of.Append(RefSchema(schema_name, version));
    v.Set("allOf", std::move(all_of));
  } else {
    // Swagger 2.0 allows siblings of $ref: the description stands beside it, as kube-apiserver
    // writes it.
    v = RefSchema(schema_name, version);
  }
  if (!description.empty()) v.Set("description", description);
  return v;
}

json::Value GroupVersionKindJson(const GroupVersionKind& gvk) {
  json::Value v = json::Value::EmptyObject();
  v.Set("group", gvk.group);
  v.Set("kind", gvk.kind);
  v.Set("version", gvk.version);
  return v;
}

}  // namespace cubelet::schema
