#include "apiserver/body.h"

#include "absl/strings/str_join.h"
#include "api/json_codec.h"
#include "apierrors/apierrors.h"
#include "common/strings.h"
#include "json/parse.h"
#include "kproto/envelope.h"
#include "schema/decode.h"

namespace cubelet::apiserver {

absl::StatusOr<FieldValidation> FieldValidationOf(const httpserver::Request& request) {
  auto v = request.Query("fieldValidation");
  if (!v || *v == "Warn" || v->empty()) return FieldValidation::kWarn;
  if (*v == "Strict") return FieldValidation::kStrict;
  if (*v == "Ignore") return FieldValidation::kIgnore;
  return apierrors::BadRequest(StrCat("fieldValidation: Unsupported value: \"", *v,
                                      "\": supported values: \"Ignore\", \"Strict\", \"Warn\""));
}

absl::StatusOr<ParsedBody> ParseBody(const std::string& text, BodyFormat format) {
  if (format == BodyFormat::kProtobuf) return apierrors::UnsupportedMediaType(kproto::kProtobufMediaType);
  ParsedBody out;
  std::string json_text;
  // JSON is YAML: a body that starts like JSON (kubectl's apply-patch+yaml bodies do) is parsed
  // by the bounded JSON parser, which also finds duplicate fields.
  size_t first = text.find_first_not_of(" \t\r\n");
  if (format == BodyFormat::kYaml && first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
    format = BodyFormat::kJson;
  }
  if (format == BodyFormat::kYaml) {
    auto converted = api::YamlToJson(text);
    if (!converted.ok()) return apierrors::BadRequest(StrCat("error converting YAML to JSON: ", converted.status().message()));
    json_text = std::move(*converted);
  }
  json::ParseOptions options;
  options.duplicate_fields = &out.duplicate_fields;
  auto parsed = json::Parse(format == BodyFormat::kYaml ? json_text : text, options);
  if (!parsed.ok()) {
    return apierrors::BadRequest(StrCat("the body of the request could not be decoded: ", parsed.status().message()));
  }
  out.value = std::move(*parsed);
  return out;
}

absl::StatusOr<ParsedBody> ParseBody(const std::string& text, BodyFormat format, const schema::Schema& schema,
                                     const std::string& schema_type) {
  if (format != BodyFormat::kProtobuf) return ParseBody(text, format);
  auto decoded = kproto::Decode(schema, schema_type, text);
  if (!decoded.ok()) {
    return apierrors::BadRequest(StrCat("the body of the request could not be decoded: ", decoded.status().message()));
  }
  ParsedBody out;
  out.value = std::move(*decoded);
  return out;
}

absl::Status DecodeObject(const schema::Schema& schema, const std::string& schema_type, const std::string& group_version,
                          const std::string& kind, ParsedBody* body, FieldValidation validation,
                          std::vector<std::string>* warnings, bool whole_object) {
  json::Value& object = body->value;
  if (!object.is_object()) {
    return apierrors::BadRequest(StrCat("the body of the request must be a JSON object, not ", json::TypeName(object.type())));
  }
  std::string api_version = object.GetString({"apiVersion"});
  std::string body_kind = object.GetString({"kind"});
  if (!api_version.empty() && api_version != group_version) {
    return apierrors::BadRequest(StrCat("the API version in the data (", api_version,
                                        ") does not match the expected API version (", group_version, ")"));
  }
  if (!body_kind.empty() && body_kind != kind) {
    return apierrors::BadRequest(StrCat("the object provided is unrecognized (must be of type ", kind, "): kind \"",
                                        body_kind, "\" in the body"));
  }
  object.Set("apiVersion", group_version);
  object.Set("kind", kind);
  schema::DecodeReport report = schema::Decode(schema, schema_type, &object);
  const std::string version =
      group_version.substr(group_version.find('/') == std::string::npos ? 0 : group_version.find('/') + 1);
  const std::string cannot_handle = StrCat(kind, " in version \"", version, "\" cannot be handled as a ", kind, ": ");
  if (!report.type_errors.empty()) return apierrors::BadRequest(StrCat(cannot_handle, report.type_errors.front()));
  std::vector<std::string> problems;
  for (const std::string& f : report.unknown_fields) problems.push_back(StrCat("unknown field \"", f, "\""));
  for (const std::string& f : body->duplicate_fields) problems.push_back(StrCat("duplicate field \"", f, "\""));
  if (problems.empty() || validation == FieldValidation::kIgnore) return absl::OkStatus();
  if (validation == FieldValidation::kStrict) {
    return apierrors::BadRequest(
        StrCat(whole_object ? cannot_handle : "", "strict decoding error: ", absl::StrJoin(problems, ", ")));
  }
  if (warnings != nullptr) warnings->insert(warnings->end(), problems.begin(), problems.end());
  return absl::OkStatus();
}

}  // namespace cubelet::apiserver
