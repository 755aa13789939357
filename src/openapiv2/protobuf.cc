#include "openapiv2/protobuf.h"

#include <string_view>

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

absl::Status EncodeSchema(const Value& v, std::string_view where, pb::Schema* out);

absl::Status EncodeNamedSchemas(const Value& v, std::string_view where,
                                google::protobuf::RepeatedPtrField<pb::NamedSchema>* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [name, schema] : *members) {
    pb::NamedSchema* named = out->Add();
    named->set_name(name);
    RETURN_IF_ERROR(EncodeSchema(schema, Child(where, name), named->mutable_value()));
  }
  return absl::OkStatus();
}

absl::Status EncodeSchema(const Value& v, std::string_view where, pb::Schema* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [key, value] : *members) {
    const std::string at = Child(where, key);
    if (key == "$ref") {
      ASSIGN_OR_RETURN(*out->mutable__ref(), AsString(value, at));
    } else if (key == "format") {
      ASSIGN_OR_RETURN(*out->mutable_format(), AsString(value, at));
    } else if (key == "title") {
      ASSIGN_OR_RETURN(*out->mutable_title(), AsString(value, at));
    } else if (key == "description") {
      ASSIGN_OR_RETURN(*out->mutable_description(), AsString(value, at));
    } else if (key == "required") {
      RETURN_IF_ERROR(AddStrings(value, at, out->mutable_required()));
    } else if (key == "enum") {
      if (!value.is_array()) return Invalid(at, "must be an array");
      for (const Value& item : value.AsArray()) out->add_enum_()->set_yaml(ExtensionYaml(item));
    } else if (key == "additionalProperties") {
      if (value.is_bool()) {
        out->mutable_additional_properties()->set_boolean(value.AsBool());
      } else {
        RETURN_IF_ERROR(EncodeSchema(value, at, out->mutable_additional_properties()->mutable_schema()));
      }
    } else if (key == "type") {
      if (value.is_string()) {
        out->mutable_type()->add_value(value.AsString());
      } else {
        RETURN_IF_ERROR(AddStrings(value, at, out->mutable_type()->mutable_value()));
      }
    } else if (key == "items") {
      if (value.is_array()) {
        for (size_t i = 0; i < value.AsArray().size(); ++i) {
          RETURN_IF_ERROR(EncodeSchema(value.AsArray()[i], Index(at, i), out->mutable_items()->add_schema()));
        }
      } else {
        RETURN_IF_ERROR(EncodeSchema(value, at, out->mutable_items()->add_schema()));
      }
    } else if (key == "allOf") {
      if (!value.is_array()) return Invalid(at, "must be an array");
      for (size_t i = 0; i < value.AsArray().size(); ++i) {
        RETURN_IF_ERROR(EncodeSchema(value.AsArray()[i], Index(at, i), out->add_all_of()));
      }
    } else if (key == "properties") {
      RETURN_IF_ERROR(EncodeNamedSchemas(value, at, out->mutable_properties()->mutable_additional_properties()));
    } else if (key == "readOnly") {
      ASSIGN_OR_RETURN(bool read_only, AsBool(value, at));
      out->set_read_only(read_only);
    } else if (IsExtension(key)) {
      AddExtension(key, value, out->mutable_vendor_extension());
    } else {
      return Unsupported(where, key);
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeJsonReference(const json::Object& members, std::string_view where, pb::JsonReference* out) {
  for (const auto& [key, value] : members) {
    const std::string at = Child(where, key);
    if (key == "$ref") {
      ASSIGN_OR_RETURN(*out->mutable__ref(), AsString(value, at));
    } else if (key == "description") {
      ASSIGN_OR_RETURN(*out->mutable_description(), AsString(value, at));
    } else {
      return Unsupported(where, key);
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeBodyParameter(const json::Object& members, std::string_view where, pb::BodyParameter* out) {
  for (const auto& [key, value] : members) {
    const std::string at = Child(where, key);
    if (key == "description") {
      ASSIGN_OR_RETURN(*out->mutable_description(), AsString(value, at));
    } else if (key == "name") {
      ASSIGN_OR_RETURN(*out->mutable_name(), AsString(value, at));
    } else if (key == "in") {
      ASSIGN_OR_RETURN(*out->mutable_in(), AsString(value, at));
    } else if (key == "required") {
      ASSIGN_OR_RETURN(bool required, AsBool(value, at));
      out->set_required(required);
    } else if (key == "schema") {
      RETURN_IF_ERROR(EncodeSchema(value, at, out->mutable_schema()));
    } else if (IsExtension(key)) {
      AddExtension(key, value, out->mutable_vendor_extension());
    } else {
      return Unsupported(where, key);
    }
  }
  return absl::OkStatus();
}

// Query and path parameters share these keys; their messages differ only in field numbers.
template <typename SubSchema>
absl::Status EncodeNonBodyParameter(const json::Object& members, std::string_view where, SubSchema* out) {
  for (const auto& [key, value] : members) {
    const std::string at = Child(where, key);
    if (key == "description") {
      ASSIGN_OR_RETURN(*out->mutable_description(), AsString(value, at));
    } else if (key == "name") {
      ASSIGN_OR_RETURN(*out->mutable_name(), AsString(value, at));
    } else if (key == "in") {
      ASSIGN_OR_RETURN(*out->mutable_in(), AsString(value, at));
    } else if (key == "type") {
      ASSIGN_OR_RETURN(*out->mutable_type(), AsString(value, at));
    } else if (key == "format") {
      ASSIGN_OR_RETURN(*out->mutable_format(), AsString(value, at));
    } else if (key == "required") {
      ASSIGN_OR_RETURN(bool required, AsBool(value, at));
      out->set_required(required);
    } else if (key == "uniqueItems") {
      ASSIGN_OR_RETURN(bool unique, AsBool(value, at));
      out->set_unique_items(unique);
    } else if (IsExtension(key)) {
      AddExtension(key, value, out->mutable_vendor_extension());
    } else {
      return Unsupported(where, key);
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeParameters(const Value& v, std::string_view where,
                              google::protobuf::RepeatedPtrField<pb::ParametersItem>* out) {
  if (!v.is_array()) return Invalid(where, "must be an array");
  for (size_t i = 0; i < v.AsArray().size(); ++i) {
    const std::string at = Index(where, i);
    ASSIGN_OR_RETURN(const json::Object* members, AsObject(v.AsArray()[i], at));
    const Value& param = v.AsArray()[i];
    pb::ParametersItem* item = out->Add();
    if (param.Find("$ref") != nullptr) {
      RETURN_IF_ERROR(EncodeJsonReference(*members, at, item->mutable_json_reference()));
      continue;
    }
    const std::string in = param.GetString({"in"});
    pb::Parameter* p = item->mutable_parameter();
    if (in == "body") {
      RETURN_IF_ERROR(EncodeBodyParameter(*members, at, p->mutable_body_parameter()));
    } else if (in == "query") {
      RETURN_IF_ERROR(EncodeNonBodyParameter(
          *members, at, p->mutable_non_body_parameter()->mutable_query_parameter_sub_schema()));
    } else if (in == "path") {
      RETURN_IF_ERROR(EncodeNonBodyParameter(
          *members, at, p->mutable_non_body_parameter()->mutable_path_parameter_sub_schema()));
    } else {
      return Invalid(Child(at, "in"), StrCat("parameters in '", in, "' are not supported"));
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeResponses(const Value& v, std::string_view where, pb::Responses* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [code, value] : *members) {
    const std::string at = Child(where, code);
    if (IsExtension(code)) {
      AddExtension(code, value, out->mutable_vendor_extension());
      continue;
    }
    ASSIGN_OR_RETURN(const json::Object* fields, AsObject(value, at));
    pb::NamedResponseValue* named = out->add_response_code();
    named->set_name(code);
    if (value.Find("$ref") != nullptr) {
      RETURN_IF_ERROR(EncodeJsonReference(*fields, at, named->mutable_value()->mutable_json_reference()));
      continue;
    }
    pb::Response* response = named->mutable_value()->mutable_response();
    for (const auto& [key, field] : *fields) {
      const std::string field_at = Child(at, key);
      if (key == "description") {
        ASSIGN_OR_RETURN(*response->mutable_description(), AsString(field, field_at));
      } else if (key == "schema") {
        RETURN_IF_ERROR(EncodeSchema(field, field_at, response->mutable_schema()->mutable_schema()));
      } else if (IsExtension(key)) {
        AddExtension(key, field, response->mutable_vendor_extension());
      } else {
        return Unsupported(at, key);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeOperation(const Value& v, std::string_view where, pb::Operation* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [key, value] : *members) {
    const std::string at = Child(where, key);
    if (key == "tags") {
      RETURN_IF_ERROR(AddStrings(value, at, out->mutable_tags()));
    } else if (key == "summary") {
      ASSIGN_OR_RETURN(*out->mutable_summary(), AsString(value, at));
    } else if (key == "description") {
      ASSIGN_OR_RETURN(*out->mutable_description(), AsString(value, at));
    } else if (key == "operationId") {
      ASSIGN_OR_RETURN(*out->mutable_operation_id(), AsString(value, at));
    } else if (key == "produces") {
      RETURN_IF_ERROR(AddStrings(value, at, out->mutable_produces()));
    } else if (key == "consumes") {
      RETURN_IF_ERROR(AddStrings(value, at, out->mutable_consumes()));
    } else if (key == "parameters") {
      RETURN_IF_ERROR(EncodeParameters(value, at, out->mutable_parameters()));
    } else if (key == "responses") {
      RETURN_IF_ERROR(EncodeResponses(value, at, out->mutable_responses()));
    } else if (key == "schemes") {
      RETURN_IF_ERROR(AddStrings(value, at, out->mutable_schemes()));
    } else if (key == "deprecated") {
      ASSIGN_OR_RETURN(bool deprecated, AsBool(value, at));
      out->set_deprecated(deprecated);
    } else if (IsExtension(key)) {
      AddExtension(key, value, out->mutable_vendor_extension());
    } else {
      return Unsupported(where, key);
    }
  }
  return absl::OkStatus();
}

absl::Status EncodePathItem(const Value& v, std::string_view where, pb::PathItem* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [key, value] : *members) {
    const std::string at = Child(where, key);
    if (key == "$ref") {
      ASSIGN_OR_RETURN(*out->mutable__ref(), AsString(value, at));
    } else if (key == "get") {
      RETURN_IF_ERROR(EncodeOperation(value, at, out->mutable_get()));
    } else if (key == "put") {
      RETURN_IF_ERROR(EncodeOperation(value, at, out->mutable_put()));
    } else if (key == "post") {
      RETURN_IF_ERROR(EncodeOperation(value, at, out->mutable_post()));
    } else if (key == "delete") {
      RETURN_IF_ERROR(EncodeOperation(value, at, out->mutable_delete_()));
    } else if (key == "options") {
      RETURN_IF_ERROR(EncodeOperation(value, at, out->mutable_options()));
    } else if (key == "head") {
      RETURN_IF_ERROR(EncodeOperation(value, at, out->mutable_head()));
    } else if (key == "patch") {
      RETURN_IF_ERROR(EncodeOperation(value, at, out->mutable_patch()));
    } else if (key == "parameters") {
      RETURN_IF_ERROR(EncodeParameters(value, at, out->mutable_parameters()));
    } else if (IsExtension(key)) {
      AddExtension(key, value, out->mutable_vendor_extension());
    } else {
      return Unsupported(where, key);
    }
  }
  return absl::OkStatus();
}

absl::Status EncodePaths(const Value& v, std::string_view where, pb::Paths* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [path, item] : *members) {
    if (IsExtension(path)) {
      AddExtension(path, item, out->mutable_vendor_extension());
    } else if (!path.empty() && path[0] == '/') {
      pb::NamedPathItem* named = out->add_path();
      named->set_name(path);
      RETURN_IF_ERROR(EncodePathItem(item, Child(where, path), named->mutable_value()));
    } else {
      return Unsupported(where, path);
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeInfo(const Value& v, std::string_view where, pb::Info* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [key, value] : *members) {
    const std::string at = Child(where, key);
    if (key == "title") {
      ASSIGN_OR_RETURN(*out->mutable_title(), AsString(value, at));
    } else if (key == "version") {
      ASSIGN_OR_RETURN(*out->mutable_version(), AsString(value, at));
    } else if (key == "description") {
      ASSIGN_OR_RETURN(*out->mutable_description(), AsString(value, at));
    } else if (IsExtension(key)) {
      AddExtension(key, value, out->mutable_vendor_extension());
    } else {
      return Unsupported(where, key);
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeSecurityDefinitions(const Value& v, std::string_view where, pb::SecurityDefinitions* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, where));
  for (const auto& [name, definition] : *members) {
    const std::string at = Child(where, name);
    ASSIGN_OR_RETURN(const json::Object* fields, AsObject(definition, at));
    if (definition.GetString({"type"}) != "apiKey") return Invalid(Child(at, "type"), "only apiKey is supported");
    pb::NamedSecurityDefinitionsItem* named = out->add_additional_properties();
    named->set_name(name);
    pb::ApiKeySecurity* key_security = named->mutable_value()->mutable_api_key_security();
    for (const auto& [key, value] : *fields) {
      const std::string field_at = Child(at, key);
      if (key == "type") {
        ASSIGN_OR_RETURN(*key_security->mutable_type(), AsString(value, field_at));
      } else if (key == "name") {
        ASSIGN_OR_RETURN(*key_security->mutable_name(), AsString(value, field_at));
      } else if (key == "in") {
        ASSIGN_OR_RETURN(*key_security->mutable_in(), AsString(value, field_at));
      } else if (key == "description") {
        ASSIGN_OR_RETURN(*key_security->mutable_description(), AsString(value, field_at));
      } else if (IsExtension(key)) {
        AddExtension(key, value, key_security->mutable_vendor_extension());
      } else {
        return Unsupported(at, key);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status EncodeSecurity(const Value& v, std::string_view where,
                            google::protobuf::RepeatedPtrField<pb::SecurityRequirement>* out) {
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

absl::Status EncodeDocument(const Value& v, pb::Document* out) {
  ASSIGN_OR_RETURN(const json::Object* members, AsObject(v, "document"));
  for (const auto& [key, value] : *members) {
    const std::string& at = key;
    if (key == "swagger") {
      ASSIGN_OR_RETURN(*out->mutable_swagger(), AsString(value, at));
    } else if (key == "info") {
      RETURN_IF_ERROR(EncodeInfo(value, at, out->mutable_info()));
    } else if (key == "host") {
      ASSIGN_OR_RETURN(*out->mutable_host(), AsString(value, at));
    } else if (key == "basePath") {
      ASSIGN_OR_RETURN(*out->mutable_base_path(), AsString(value, at));
    } else if (key == "schemes") {
      RETURN_IF_ERROR(AddStrings(value, at, out->mutable_schemes()));
    } else if (key == "consumes") {
      RETURN_IF_ERROR(AddStrings(value, at, out->mutable_consumes()));
    } else if (key == "produces") {
      RETURN_IF_ERROR(AddStrings(value, at, out->mutable_produces()));
    } else if (key == "paths") {
      RETURN_IF_ERROR(EncodePaths(value, at, out->mutable_paths()));
    } else if (key == "definitions") {
      RETURN_IF_ERROR(EncodeNamedSchemas(value, at, out->mutable_definitions()->mutable_additional_properties()));
    } else if (key == "security") {
      RETURN_IF_ERROR(EncodeSecurity(value, at, out->mutable_security()));
    } else if (key == "securityDefinitions") {
      RETURN_IF_ERROR(EncodeSecurityDefinitions(value, at, out->mutable_security_definitions()));
    } else if (IsExtension(key)) {
      AddExtension(key, value, out->mutable_vendor_extension());
    } else {
      return Unsupported("", key);
    }
  }
  return absl::OkStatus();
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
