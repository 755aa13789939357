#include "openapiv2/protobuf.h"

#include <algorithm>
#include <span>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/write.h"
#include "openapiv2/proto/openapiv2.pb.h"

namespace cubelet::openapiv2 {
namespace {

namespace pb = ::openapi::v2;
using json::Value;
using Extensions = google::protobuf::RepeatedPtrField<pb::NamedAny>;
using Strings = google::protobuf::RepeatedPtrField<std::string>;

std::string Child(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : StrCat(where, ".", key);
}

std::string Index(std::string_view where, size_t i) { return StrCat(where, "[", i, "]"); }

absl::Status Invalid(std::string_view where, std::string_view what) {
  return absl::InvalidArgumentError(StrCat("OpenAPI v2 protobuf encoding: ", where, ": ", what));
}

absl::Status Unsupported(std::string_view where, std::string_view key) {
  return Invalid(Child(where, key), "not representable in openapi_v2 protobuf");
}

bool IsExtension(std::string_view key) { return key.size() > 2 && key.substr(0, 2) == "x-"; }

absl::StatusOr<const json::Object*> AsObject(const Value& v, std::string_view where) {
  if (!v.is_object()) return Invalid(where, "must be an object");
  return &v.AsObject();
}

absl::StatusOr<std::string> AsString(const Value& v, std::string_view where) {
  if (!v.is_string()) return Invalid(where, "must be a string");
  return v.AsString();
}

absl::StatusOr<bool> AsBool(const Value& v, std::string_view where) {
  if (!v.is_bool()) return Invalid(where, "must be a boolean");
  return v.AsBool();
}

absl::Status AddStrings(const Value& v, std::string_view where, Strings* out) {
  if (!v.is_array()) return Invalid(where, "must be an array of strings");
  for (size_t i = 0; i < v.AsArray().size(); ++i) {
    ASSIGN_OR_RETURN(*out->Add(), AsString(v.AsArray()[i], Index(where, i)));
  }
  return absl::OkStatus();
}

void AddExtension(std::string_view name, const Value& value, Extensions* out) {
  pb::NamedAny* named = out->Add();
  named->set_name(std::string(name));
  named->mutable_value()->set_yaml(ExtensionYaml(value));
}

void WriteYaml(const Value& v, std::string* out) {
  switch (v.type()) {
    case json::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : v.AsArray()) {
        if (!first) out->append(", ");
        first = false;
        WriteYaml(item, out);
      }
      out->push_back(']');
      return;
    }
    case json::Type::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, member] : v.AsObject()) {
        if (!first) out->append(", ");
        first = false;
        json::WriteString(key, out);
        out->append(": ");
        WriteYaml(member, out);
      }
      out->push_back('}');
      return;
    }
    default:
      // Scalars: JSON's null, true, false, numbers and double-quoted strings (with JSON's
      // escapes, all of which YAML's double-quoted style shares) read the same in YAML.
      json::WriteTo(v, out);
      return;
  }
}

// The writing of one message from a JSON object is a table of its fields: a member whose key is
// in the table is written by that field's encoder, any other x-* member becomes a vendor
// extension (for messages that carry them), anything else is refused.
template <typename Msg>
using FieldEncoder = absl::Status (*)(const Value& value, std::string_view at, Msg* out);

template <typename Msg>
struct Field {
  std::string_view key;
  FieldEncoder<Msg> encode;
};

template <typename Msg>
using Fields = std::type_identity_t<std::span<const Field<Msg>>>;  // Msg is deduced from `out` alone

template <typename Msg>
absl::Status EncodeFields(const Value& v, std::string_view where, Fields<Msg> fields, Msg* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [key, value] : *members) {
    const std::string at = Child(where, key);
    auto field = std::find_if(fields.begin(), fields.end(), [&](const Field<Msg>& f) { return f.key == key; });
    if (field != fields.end()) {
      RETURN_IF_ERROR(field->encode(value, at, out));
      continue;
    }
    if constexpr (requires { out->mutable_vendor_extension(); }) {
      if (IsExtension(key)) {
        AddExtension(key, value, out->mutable_vendor_extension());
        continue;
      }
    }
    return Unsupported(where, key);
  }
  return absl::OkStatus();
}

// Field encoders built from the generated accessors: `Mutable` is a mutable_<field>() and
// `Setter` a set_<field>(bool) of the message.
template <typename Accessor>
struct MessageOf;
template <typename Msg, typename Result, typename... Args>
struct MessageOf<Result (Msg::*)(Args...)> {
  using type = Msg;
};
template <auto Accessor>
using MessageOfT = typename MessageOf<decltype(Accessor)>::type;

template <auto Mutable>
absl::Status StringField(const Value& v, std::string_view at, MessageOfT<Mutable>* out) {
  ASSIGN_OR_RETURN(*(out->*Mutable)(), AsString(v, at));
  return absl::OkStatus();
}

// The mutable_<field>() of a whole repeated field: generated code overloads it with one that
// takes an index, which a template argument cannot choose between.
template <typename Msg, typename Repeated>
constexpr auto WholeRepeated(Repeated* (Msg::*accessor)()) {
  return accessor;
}

template <auto Mutable>
absl::Status StringsField(const Value& v, std::string_view at, MessageOfT<Mutable>* out) {
  return AddStrings(v, at, (out->*Mutable)());
}

template <auto Setter>
absl::Status BoolField(const Value& v, std::string_view at, MessageOfT<Setter>* out) {
  ASSIGN_OR_RETURN(bool b, AsBool(v, at));
  (out->*Setter)(b);
  return absl::OkStatus();
}

// A field holding a message (or a repeated field) that `Encode` writes.
template <auto Mutable, auto Encode>
absl::Status MessageField(const Value& v, std::string_view at, MessageOfT<Mutable>* out) {
  return Encode(v, at, (out->*Mutable)());
}

absl::Status EncodeSchema(const Value& v, std::string_view where, pb::Schema* out);

using NamedSchemas = google::protobuf::RepeatedPtrField<pb::NamedSchema>;

// A JSON object of schemas by name, in its order.
absl::Status EncodeNamedSchemas(const Value& v, std::string_view where, NamedSchemas* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [name, schema] : *members) {
    pb::NamedSchema* named = out->Add();
    named->set_name(name);
    RETURN_IF_ERROR(EncodeSchema(schema, Child(where, name), named->mutable_value()));
  }
  return absl::OkStatus();
}

// The members of Schema that are not written as they are spelled in JSON.
absl::Status SchemaEnum(const Value& v, std::string_view at, pb::Schema* out) {
  if (!v.is_array()) return Invalid(at, "must be an array");
  for (const Value& item : v.AsArray()) out->add_enum_()->set_yaml(ExtensionYaml(item));
  return absl::OkStatus();
}

absl::Status SchemaAdditionalProperties(const Value& v, std::string_view at, pb::Schema* out) {
  if (v.is_bool()) {
    out->mutable_additional_properties()->set_boolean(v.AsBool());
    return absl::OkStatus();
  }
  return EncodeSchema(v, at, out->mutable_additional_properties()->mutable_schema());
}

absl::Status SchemaType(const Value& v, std::string_view at, pb::Schema* out) {
  if (!v.is_string()) return AddStrings(v, at, out->mutable_type()->mutable_value());
  out->mutable_type()->add_value(v.AsString());
  return absl::OkStatus();
}

absl::Status SchemaItems(const Value& v, std::string_view at, pb::Schema* out) {
  if (!v.is_array()) return EncodeSchema(v, at, out->mutable_items()->add_schema());
  for (size_t i = 0; i < v.AsArray().size(); ++i) {
    RETURN_IF_ERROR(EncodeSchema(v.AsArray()[i], Index(at, i), out->mutable_items()->add_schema()));
  }
  return absl::OkStatus();
}

absl::Status SchemaAllOf(const Value& v, std::string_view at, pb::Schema* out) {
  if (!v.is_array()) return Invalid(at, "must be an array");
  for (size_t i = 0; i < v.AsArray().size(); ++i) {
    RETURN_IF_ERROR(EncodeSchema(v.AsArray()[i], Index(at, i), out->add_all_of()));
  }
  return absl::OkStatus();
}

absl::Status SchemaProperties(const Value& v, std::string_view at, pb::Schema* out) {
  return EncodeNamedSchemas(v, at, out->mutable_properties()->mutable_additional_properties());
}

constexpr Field<pb::Schema> kSchemaFields[] = {
    {"$ref", StringField<&pb::Schema::mutable__ref>},
    {"format", StringField<&pb::Schema::mutable_format>},
    {"title", StringField<&pb::Schema::mutable_title>},
    {"description", StringField<&pb::Schema::mutable_description>},
    {"required", StringsField<WholeRepeated(&pb::Schema::mutable_required)>},
    {"enum", SchemaEnum},
    {"additionalProperties", SchemaAdditionalProperties},
    {"type", SchemaType},
    {"items", SchemaItems},
    {"allOf", SchemaAllOf},
    {"properties", SchemaProperties},
    {"readOnly", BoolField<&pb::Schema::set_read_only>},
};

absl::Status EncodeSchema(const Value& v, std::string_view where, pb::Schema* out) {
  return EncodeFields(v, where, kSchemaFields, out);
}

constexpr Field<pb::JsonReference> kJsonReferenceFields[] = {
    {"$ref", StringField<&pb::JsonReference::mutable__ref>},
    {"description", StringField<&pb::JsonReference::mutable_description>},
};

constexpr Field<pb::BodyParameter> kBodyParameterFields[] = {
    {"description", StringField<&pb::BodyParameter::mutable_description>},
    {"name", StringField<&pb::BodyParameter::mutable_name>},
    {"in", StringField<&pb::BodyParameter::mutable_in>},
    {"required", BoolField<&pb::BodyParameter::set_required>},
    {"schema", MessageField<&pb::BodyParameter::mutable_schema, EncodeSchema>},
};

// Query and path parameters share these keys; their messages differ only in field numbers.
template <typename SubSchema>
constexpr Field<SubSchema> kNonBodyParameterFields[] = {
    {"description", StringField<&SubSchema::mutable_description>},
    {"name", StringField<&SubSchema::mutable_name>},
    {"in", StringField<&SubSchema::mutable_in>},
    {"type", StringField<&SubSchema::mutable_type>},
    {"format", StringField<&SubSchema::mutable_format>},
    {"required", BoolField<&SubSchema::set_required>},
    {"uniqueItems", BoolField<&SubSchema::set_unique_items>},
};

using ParametersItems = google::protobuf::RepeatedPtrField<pb::ParametersItem>;

absl::Status EncodeParameters(const Value& v, std::string_view where, ParametersItems* out) {
  if (!v.is_array()) return Invalid(where, "must be an array");
  for (size_t i = 0; i < v.AsArray().size(); ++i) {
    const std::string at = Index(where, i);
    const Value& param = v.AsArray()[i];
    RETURN_IF_ERROR(AsObject(param, at).status());
    pb::ParametersItem* item = out->Add();
    if (param.Find("$ref") != nullptr) {
      RETURN_IF_ERROR(EncodeFields(param, at, kJsonReferenceFields, item->mutable_json_reference()));
      continue;
    }
    const std::string in = param.GetString({"in"});
    pb::Parameter* p = item->mutable_parameter();
    if (in == "body") {
      RETURN_IF_ERROR(EncodeFields(param, at, kBodyParameterFields, p->mutable_body_parameter()));
    } else if (in == "query") {
      using Query = pb::QueryParameterSubSchema;
      RETURN_IF_ERROR(EncodeFields(param, at, kNonBodyParameterFields<Query>,
                                          p->mutable_non_body_parameter()->mutable_query_parameter_sub_schema()));
    } else if (in == "path") {
      using Path = pb::PathParameterSubSchema;
      RETURN_IF_ERROR(EncodeFields(param, at, kNonBodyParameterFields<Path>,
                                         p->mutable_non_body_parameter()->mutable_path_parameter_sub_schema()));
    } else {
      return Invalid(Child(at, "in"), StrCat("parameters in '", in, "' are not supported"));
    }
  }
  return absl::OkStatus();
}

absl::Status ResponseSchema(const Value& v, std::string_view at, pb::Response* out) {
  return EncodeSchema(v, at, out->mutable_schema()->mutable_schema());
}

constexpr Field<pb::Response> kResponseFields[] = {
    {"description", StringField<&pb::Response::mutable_description>},
    {"schema", ResponseSchema},
};

// Responses are keyed by status code.
absl::Status EncodeResponses(const Value& v, std::string_view where, pb::Responses* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [code, value] : *members) {
    const std::string at = Child(where, code);
    if (IsExtension(code)) {
      AddExtension(code, value, out->mutable_vendor_extension());
      continue;
    }
    RETURN_IF_ERROR(AsObject(value, at).status());
    pb::NamedResponseValue* named = out->add_response_code();
    named->set_name(code);
    if (value.Find("$ref") != nullptr) {
      RETURN_IF_ERROR(
          EncodeFields(value, at, kJsonReferenceFields, named->mutable_value()->mutable_json_reference()));
    } else {
      RETURN_IF_ERROR(EncodeFields(value, at, kResponseFields, named->mutable_value()->mutable_response()));
    }
  }
  return absl::OkStatus();
}

constexpr Field<pb::Operation> kOperationFields[] = {
    {"tags", StringsField<WholeRepeated(&pb::Operation::mutable_tags)>},
    {"summary", StringField<&pb::Operation::mutable_summary>},
    {"description", StringField<&pb::Operation::mutable_description>},
    {"operationId", StringField<&pb::Operation::mutable_operation_id>},
    {"produces", StringsField<WholeRepeated(&pb::Operation::mutable_produces)>},
    {"consumes", StringsField<WholeRepeated(&pb::Operation::mutable_consumes)>},
    {"parameters", MessageField<WholeRepeated(&pb::Operation::mutable_parameters), EncodeParameters>},
    {"responses", MessageField<&pb::Operation::mutable_responses, EncodeResponses>},
    {"schemes", StringsField<WholeRepeated(&pb::Operation::mutable_schemes)>},
    {"deprecated", BoolField<&pb::Operation::set_deprecated>},
};

absl::Status EncodeOperation(const Value& v, std::string_view where, pb::Operation* out) {
  return EncodeFields(v, where, kOperationFields, out);
}

constexpr Field<pb::PathItem> kPathItemFields[] = {
    {"$ref", StringField<&pb::PathItem::mutable__ref>},
    {"get", MessageField<&pb::PathItem::mutable_get, EncodeOperation>},
    {"put", MessageField<&pb::PathItem::mutable_put, EncodeOperation>},
    {"post", MessageField<&pb::PathItem::mutable_post, EncodeOperation>},
    {"delete", MessageField<&pb::PathItem::mutable_delete_, EncodeOperation>},
    {"options", MessageField<&pb::PathItem::mutable_options, EncodeOperation>},
    {"head", MessageField<&pb::PathItem::mutable_head, EncodeOperation>},
    {"patch", MessageField<&pb::PathItem::mutable_patch, EncodeOperation>},
    {"parameters", MessageField<WholeRepeated(&pb::PathItem::mutable_parameters), EncodeParameters>},
};

// Paths are keyed by path.
absl::Status EncodePaths(const Value& v, std::string_view where, pb::Paths* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [path, item] : *members) {
    if (IsExtension(path)) {
      AddExtension(path, item, out->mutable_vendor_extension());
    } else if (!path.empty() && path[0] == '/') {
      pb::NamedPathItem* named = out->add_path();
      named->set_name(path);
      RETURN_IF_ERROR(EncodeFields(item, Child(where, path), kPathItemFields, named->mutable_value()));
    } else {
      return Unsupported(where, path);
    }
  }
  return absl::OkStatus();
}

constexpr Field<pb::Info> kInfoFields[] = {
    {"title", StringField<&pb::Info::mutable_title>},
    {"version", StringField<&pb::Info::mutable_version>},
    {"description", StringField<&pb::Info::mutable_description>},
};

absl::Status EncodeInfo(const Value& v, std::string_view where, pb::Info* out) {
  return EncodeFields(v, where, kInfoFields, out);
}

constexpr Field<pb::ApiKeySecurity> kApiKeySecurityFields[] = {
    {"type", StringField<&pb::ApiKeySecurity::mutable_type>},
    {"name", StringField<&pb::ApiKeySecurity::mutable_name>},
    {"in", StringField<&pb::ApiKeySecurity::mutable_in>},
    {"description", StringField<&pb::ApiKeySecurity::mutable_description>},
};

// Security definitions are keyed by name; only API keys (kube-apiserver's bearer token) are
// carried.
absl::Status EncodeSecurityDefinitions(const Value& v, std::string_view where, pb::SecurityDefinitions* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [name, definition] : *members) {
    const std::string at = Child(where, name);
    RETURN_IF_ERROR(AsObject(definition, at).status());
    if (definition.GetString({"type"}) != "apiKey") return Invalid(Child(at, "type"), "only apiKey is supported");
    pb::NamedSecurityDefinitionsItem* named = out->add_additional_properties();
    named->set_name(name);
    RETURN_IF_ERROR(EncodeFields(definition, at, kApiKeySecurityFields,
                                                     named->mutable_value()->mutable_api_key_security()));
  }
  return absl::OkStatus();
}

using SecurityRequirements = google::protobuf::RepeatedPtrField<pb::SecurityRequirement>;

absl::Status EncodeSecurity(const Value& v, std::string_view where, SecurityRequirements* out) {
  if (!v.is_array()) return Invalid(where, "must be an array");
  for (size_t i = 0; i < v.AsArray().size(); ++i) {
    const std::string at = Index(where, i);
    ASSIGN_OR_RETURN(const json::Object* members, AsObject(v.AsArray()[i], at));
    pb::SecurityRequirement* requirement = out->Add();
    for (const auto& [name, scopes] : *members) {
      pb::NamedStringArray* named = requirement->add_additional_properties();
      named->set_name(name);
      RETURN_IF_ERROR(AddStrings(scopes, Child(at, name), named->mutable_value()->mutable_value()));
    }
  }
  return absl::OkStatus();
}

absl::Status DocumentDefinitions(const Value& v, std::string_view at, pb::Document* out) {
  return EncodeNamedSchemas(v, at, out->mutable_definitions()->mutable_additional_properties());
}

constexpr Field<pb::Document> kDocumentFields[] = {
    {"swagger", StringField<&pb::Document::mutable_swagger>},
    {"info", MessageField<&pb::Document::mutable_info, EncodeInfo>},
    {"host", StringField<&pb::Document::mutable_host>},
    {"basePath", StringField<&pb::Document::mutable_base_path>},
    {"schemes", StringsField<WholeRepeated(&pb::Document::mutable_schemes)>},
    {"consumes", StringsField<WholeRepeated(&pb::Document::mutable_consumes)>},
    {"produces", StringsField<WholeRepeated(&pb::Document::mutable_produces)>},
    {"paths", MessageField<&pb::Document::mutable_paths, EncodePaths>},
    {"definitions", DocumentDefinitions},
    {"security", MessageField<WholeRepeated(&pb::Document::mutable_security), EncodeSecurity>},
    {"securityDefinitions", MessageField<&pb::Document::mutable_security_definitions, EncodeSecurityDefinitions>},
};

absl::Status EncodeDocument(const Value& v, pb::Document* out) {
  RETURN_IF_ERROR(AsObject(v, "document").status());
  // Top-level members are named by their key alone ("paths./api/v1/pods...").
  return EncodeFields(v, "", kDocumentFields, out);
}

}  // namespace

std::string ExtensionYaml(const json::Value& value) {
  std::string out;
  WriteYaml(value, &out);
  out.push_back('\n');
  return out;
}

absl::StatusOr<std::string> EncodeProtobuf(const json::Value& swagger) {
  pb::Document document;
  RETURN_IF_ERROR(EncodeDocument(swagger, &document));
  std::string bytes;
  if (!document.SerializeToString(&bytes)) {
    return absl::InternalError("OpenAPI v2 protobuf encoding: serialization failed");
  }
  return bytes;
}

}  // namespace cubelet::openapiv2
