#include "schema/openapi.h"

#include <deque>
#include <map>
#include <set>

#include "absl/status/status.h"
#include "common/strings.h"

namespace cubelet::schema {
namespace {

json::Value Ref(std::string_view name) {
  json::Value v = json::Value::EmptyObject();
  v.Set("$ref", SchemaRef(name));
  return v;
}

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

// The named schemas of the scalar wrapper types, as upstream documents them.
json::Value WrapperSchema(std::string_view name) {
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
    json::Value one_of = json::Value::EmptyArray();
    one_of.Append(Scalar("string"));
    one_of.Append(Scalar("number"));
    v.Set("oneOf", std::move(one_of));
  } else {
    v.Set("description", "IntOrString holds either an int32 or a string.");
    v.Set("format", "int-or-string");
    json::Value one_of = json::Value::EmptyArray();
    one_of.Append(Scalar("integer"));
    one_of.Append(Scalar("string"));
    v.Set("oneOf", std::move(one_of));
  }
  return v;
}

class Builder {
 public:
  explicit Builder(const Schema& schema) : schema_(schema) {}

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
      out_[name] = type == nullptr ? WrapperSchema(name) : StructSchema(*type);
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
    return Ref(name);
  }

  // The schema of a value of `type` (without description or field extensions).
  json::Value TypeSchema(const TypeRef& type) {
    switch (type.kind) {
      case Kind::kString: return Scalar("string");
      case Kind::kInt32: return Scalar("integer", "int32");
      case Kind::kInt64: return Scalar("integer", "int64");
      case Kind::kFloat64: return Scalar("number", "double");
      case Kind::kBoolean: return Scalar("boolean");
      case Kind::kBytes: return Scalar("string", "byte");
      case Kind::kTime: return RefTo(kTimeSchemaName);
      case Kind::kMicroTime: return RefTo(kMicroTimeSchemaName);
      case Kind::kQuantity: return RefTo(kQuantitySchemaName);
      case Kind::kIntOrString: return RefTo(kIntOrStringSchemaName);
      case Kind::kObject: {
        json::Value v = Scalar("object");
        v.Set("x-kubernetes-preserve-unknown-fields", true);
        return v;
      }
      case Kind::kAny: {
        json::Value v = json::Value::EmptyObject();
        v.Set("x-kubernetes-preserve-unknown-fields", true);
        return v;
      }
      case Kind::kStruct: return RefTo(type.name);
      case Kind::kList: {
        json::Value v = Scalar("array");
        v.Set("items", TypeSchema(*type.elem));
        return v;
      }
      case Kind::kMap: {
        json::Value v = Scalar("object");
        v.Set("additionalProperties", TypeSchema(*type.elem));
        return v;
      }
    }
    return json::Value::EmptyObject();
  }

  json::Value FieldSchema(const Field& field) {
    json::Value v = TypeSchema(field.type);
    // OpenAPI 3.0 ignores the siblings of a $ref, so a referring field wraps it in allOf to
    // keep its own description, as upstream's documents do.
    if (v.Find("$ref") != nullptr) {
      json::Value all_of = json::Value::EmptyArray();
      all_of.Append(std::move(v));
      v = json::Value::EmptyObject();
      v.Set("allOf", std::move(all_of));
    }
    if (!field.description.empty()) v.Set("description", field.description);
    if (!field.enum_values.empty()) {
      json::Value* target = field.type.kind == Kind::kList ? v.Find("items") : &v;
      if (target != nullptr) target->Set("enum", StringList(field.enum_values));
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
  std::set<std::string> wanted_;
  std::deque<std::string> pending_;
  std::map<std::string, json::Value> out_;
};

}  // namespace

absl::StatusOr<json::Value> ComponentSchemas(const Schema& schema, const std::vector<std::string>& root_types) {
  Builder builder(schema);
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

std::string SchemaRef(std::string_view schema_name) { return StrCat("#/components/schemas/", schema_name); }

json::Value GroupVersionKindJson(const GroupVersionKind& gvk) {
  json::Value v = json::Value::EmptyObject();
  v.Set("group", gvk.group);
  v.Set("kind", gvk.kind);
  v.Set("version", gvk.version);
  return v;
}

}  // namespace cubelet::schema
