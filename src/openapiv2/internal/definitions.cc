#include "openapiv2/internal/definitions.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "common/strings.h"
#include "schema/openapi.h"

namespace cubelet::openapiv2::internal {
namespace {

using json::Value;

Value Typed(std::string_view type, std::string_view format = "") {
  Value v = Value::EmptyObject();
  v.Set("type", type);
  if (!format.empty()) v.Set("format", format);
  return v;
}

Value StringList(const std::vector<std::string>& values) {
  Value list = Value::EmptyArray();
  for (const std::string& s : values) list.Append(s);
  return list;
}

// The named schemas that are not struct types of the table. kube-apiserver's v2 document
// describes Quantity and IntOrString as strings (the v2 parser has no oneOf), IntOrString with
// the int-or-string format kubectl's validation knows.
std::optional<Value> WrapperDefinition(std::string_view name) {
  Value v = Value::EmptyObject();
  if (name == schema::kTimeSchemaName) {
    v.Set("description", "Time is a timestamp in RFC 3339 form (2006-01-02T15:04:05Z), in UTC with second precision.");
    v.Set("type", "string");
    v.Set("format", "date-time");
  } else if (name == schema::kMicroTimeSchemaName) {
    v.Set("description",
          "MicroTime is a timestamp in RFC 3339 form with microsecond precision (2006-01-02T15:04:05.000000Z), in "
          "UTC.");
    v.Set("type", "string");
    v.Set("format", "date-time");
  } else if (name == schema::kQuantitySchemaName) {
    v.Set("description",
          "Quantity is a fixed-point number with an optional suffix: binary SI (Ki, Mi, Gi, Ti, Pi, Ei), decimal SI "
          "(n, u, m, k, M, G, T, P, E) or a decimal exponent (e3, E6). Examples: 100m, 1.5, 128Mi, 1e3.");
    v.Set("type", "string");
  } else if (name == schema::kIntOrStringSchemaName) {
    v.Set("description", "IntOrString holds either an int32 or a string.");
    v.Set("type", "string");
    v.Set("format", "int-or-string");
  } else if (name == kPatchDefinition) {
    v.Set("description",
          "Patch is the body of a PATCH request; its format is given by the Content-Type: a JSON patch (RFC 6902), "
          "a JSON merge patch (RFC 7386), a strategic merge patch, or an apply configuration for server-side "
          "apply.");
    v.Set("type", "object");
  } else {
    return std::nullopt;
  }
  return v;
}

class Builder {
 public:
  explicit Builder(const schema::Schema& schema) : schema_(schema) {}

  absl::Status AddRoot(const std::string& name) {
    if (schema_.Find(name) == nullptr && !WrapperDefinition(name)) {
      return absl::NotFoundError(StrCat("no schema type ", name));
    }
    Want(name);
    return absl::OkStatus();
  }

  void AddList(const registry::ResourceInfo& info) {
    Want(kListMetaDefinition);
    out_[info.schema_type + "List"] = ListDefinition(info);
  }

  absl::StatusOr<Value> Build() {
    while (!pending_.empty()) {
      std::string name = std::move(pending_.front());
      pending_.pop_front();
      const schema::StructType* type = schema_.Find(name);
      if (type != nullptr) {
        out_[name] = StructDefinition(*type);
      } else if (std::optional<Value> wrapper = WrapperDefinition(name)) {
        out_[name] = std::move(*wrapper);
      } else {
        // Schema::Parse checked every reference: only a broken table gets here.
        return absl::InternalError(StrCat("schema type ", name, " is referenced but not defined"));
      }
    }
    Value definitions = Value::EmptyObject();
    for (auto& [name, value] : out_) definitions.AsObject().emplace_back(name, std::move(value));
    return definitions;
  }

 private:
  void Want(std::string_view name) {
    if (wanted_.insert(std::string(name)).second) pending_.emplace_back(name);
  }

  Value RefTo(std::string_view name) {
    Want(name);
    return RefSchema(name);
  }

  // The schema of a value of `type`, without the field's description or extensions.
  Value TypeSchema(const schema::TypeRef& type) {
    using schema::Kind;
    switch (type.kind) {
      case Kind::kString: return Typed("string");
      case Kind::kInt32: return Typed("integer", "int32");
      case Kind::kInt64: return Typed("integer", "int64");
      case Kind::kFloat64: return Typed("number", "double");
      case Kind::kBoolean: return Typed("boolean");
      case Kind::kBytes: return Typed("string", "byte");
      case Kind::kTime: return RefTo(schema::kTimeSchemaName);
      case Kind::kMicroTime: return RefTo(schema::kMicroTimeSchemaName);
      case Kind::kQuantity: return RefTo(schema::kQuantitySchemaName);
      case Kind::kIntOrString: return RefTo(schema::kIntOrStringSchemaName);
      case Kind::kObject: {
        // An object without properties or additionalProperties: kubectl reads a map of
        // arbitrary values.
        Value v = Typed("object");
        v.Set("x-kubernetes-preserve-unknown-fields", true);
        return v;
      }
      case Kind::kAny: {
        // Neither type nor properties: kubectl reads an arbitrary value.
        Value v = Value::EmptyObject();
        v.Set("x-kubernetes-preserve-unknown-fields", true);
        return v;
      }
      case Kind::kStruct: return RefTo(type.name);
      case Kind::kList: {
        Value v = Typed("array");
        v.Set("items", type.elem ? TypeSchema(*type.elem) : Value::EmptyObject());
        return v;
      }
      case Kind::kMap: {
        Value v = Typed("object");
        v.Set("additionalProperties", type.elem ? TypeSchema(*type.elem) : Value::EmptyObject());
        return v;
      }
    }
    return Value::EmptyObject();
  }

  // Swagger 2.0 allows siblings of $ref, so unlike the v3 document a referring field keeps its
  // description and extensions right beside the reference, as kube-apiserver writes them.
  Value FieldSchema(const schema::Field& field) {
    Value v = TypeSchema(field.type);
    if (!field.description.empty()) v.Set("description", field.description);
    if (!field.enum_values.empty()) {
      Value* target = field.type.kind == schema::Kind::kList ? v.Find("items") : &v;
      if (target != nullptr && target->Find("$ref") == nullptr) target->Set("enum", StringList(field.enum_values));
    }
    if (!field.patch_strategy.empty()) v.Set("x-kubernetes-patch-strategy", field.patch_strategy);
    if (!field.patch_merge_key.empty()) v.Set("x-kubernetes-patch-merge-key", field.patch_merge_key);
    if (field.type.kind == schema::Kind::kList) {
      switch (field.list_type) {
        case schema::ListType::kAtomic: v.Set("x-kubernetes-list-type", "atomic"); break;
        case schema::ListType::kSet: v.Set("x-kubernetes-list-type", "set"); break;
        case schema::ListType::kMap:
          v.Set("x-kubernetes-list-map-keys", StringList(field.list_map_keys));
          v.Set("x-kubernetes-list-type", "map");
          break;
        case schema::ListType::kUnset: break;
      }
    } else if (field.list_type == schema::ListType::kAtomic) {
      v.Set("x-kubernetes-map-type", "atomic");
    }
    return v;
  }

  Value StructDefinition(const schema::StructType& type) {
    Value v = Value::EmptyObject();
    if (!type.description.empty()) v.Set("description", type.description);
    Value properties = Value::EmptyObject();
    std::vector<std::string> required;
    for (const schema::Field& f : type.fields) {
      properties.AsObject().emplace_back(f.name, FieldSchema(f));
      if (f.required) required.push_back(f.name);
    }
    // A struct without fields stays a plain object: kubectl reads it as a map of anything.
    if (!type.fields.empty()) v.Set("properties", std::move(properties));
    if (!required.empty()) v.Set("required", StringList(required));
    v.Set("type", "object");
    if (!type.gvks.empty()) {
      Value gvks = Value::EmptyArray();
      for (const schema::GroupVersionKind& gvk : type.gvks) {
        gvks.Append(GroupVersionKindJson(gvk.group, gvk.version, gvk.kind));
      }
      v.Set("x-kubernetes-group-version-kind", std::move(gvks));
    }
    if (type.atomic) v.Set("x-kubernetes-map-type", "atomic");
    return v;
  }

  Value ListDefinition(const registry::ResourceInfo& info) {
    Value properties = Value::EmptyObject();
    Value api_version = Typed("string");
    api_version.Set("description", "APIVersion of the list; the group version of its items.");
    properties.Set("apiVersion", std::move(api_version));
    Value items = Typed("array");
    items.Set("description", StrCat("List of ", info.resource, "."));
    items.Set("items", RefTo(info.schema_type));
    properties.Set("items", std::move(items));
    Value kind = Typed("string");
    kind.Set("description", StrCat("Kind of the list; ", info.kind, "List here."));
    properties.Set("kind", std::move(kind));
    Value metadata = RefSchema(kListMetaDefinition);
    metadata.Set("description", "Standard list metadata: resourceVersion, and continue for chunked lists.");
    properties.Set("metadata", std::move(metadata));

    Value list = Value::EmptyObject();
    list.Set("description", StrCat(info.kind, "List is a list of ", info.kind, " objects."));
    list.Set("properties", std::move(properties));
    Value required = Value::EmptyArray();
    required.Append("items");
    list.Set("required", std::move(required));
    list.Set("type", "object");
    Value gvks = Value::EmptyArray();
    gvks.Append(GroupVersionKindJson(info.group, info.version, info.kind + "List"));
    list.Set("x-kubernetes-group-version-kind", std::move(gvks));
    return list;
  }

  const schema::Schema& schema_;
  std::set<std::string> wanted_;
  std::deque<std::string> pending_;
  std::map<std::string, Value> out_;  // sorted by name, as kube-apiserver's document is
};

}  // namespace

std::string DefinitionRef(std::string_view name) { return StrCat("#/definitions/", name); }

json::Value RefSchema(std::string_view name) {
  Value v = Value::EmptyObject();
  v.Set("$ref", DefinitionRef(name));
  return v;
}

json::Value GroupVersionKindJson(std::string_view group, std::string_view version, std::string_view kind) {
  Value v = Value::EmptyObject();
  v.Set("group", group);
  v.Set("kind", kind);
  v.Set("version", version);
  return v;
}

absl::StatusOr<json::Value> BuildDefinitions(const schema::Schema& schema, const std::vector<std::string>& roots,
                                             const std::vector<const registry::ResourceInfo*>& lists) {
  Builder builder(schema);
  for (const std::string& name : roots) {
    if (absl::Status s = builder.AddRoot(name); !s.ok()) return s;
  }
  for (const registry::ResourceInfo* info : lists) builder.AddList(*info);
  return builder.Build();
}

}  // namespace cubelet::openapiv2::internal
