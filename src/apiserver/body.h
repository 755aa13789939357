// Owns: turning a write's body into an object the registry accepts (upstream's serializer plus
// strict field validation): JSON, YAML or Kubernetes protobuf parsing with bounded depth, apiVersion/kind checks
// against the endpoint, the schema check of types (always a 400) and of unknown or duplicate
// fields per fieldValidation (Strict: 400 "strict decoding error: ..."; Warn: Warning headers;
// Ignore: dropped).
// Does not own: semantic validation (registry/ strategies), patch application (patch_handler).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "apiserver/negotiation.h"
#include "httpserver/http_server.h"
#include "json/value.h"
#include "registry/resource.h"
#include "schema/schema.h"

namespace cubelet::apiserver {

enum class FieldValidation { kIgnore, kWarn, kStrict };

// The fieldValidation query parameter (default Warn, as upstream since 1.27).
absl::StatusOr<FieldValidation> FieldValidationOf(const httpserver::Request& request);

struct ParsedBody {
  json::Value value;
  std::vector<std::string> duplicate_fields;
};

// Parses text as JSON, or as YAML (any YAML is turned into JSON first), with a 400 BadRequest
// naming what is wrong. A protobuf body needs its type: 415 here.
absl::StatusOr<ParsedBody> ParseBody(const std::string& text, BodyFormat format);
// The same, and a protobuf body is transcoded to the JSON object of struct type `schema_type`
// (kproto/envelope.h), with a 400 BadRequest when it is malformed.
absl::StatusOr<ParsedBody> ParseBody(const std::string& text, BodyFormat format, const schema::Schema& schema,
                                     const std::string& schema_type);

// Checks `object` as an object of `resource` (`kind`/`group_version` are what its body must say,
// empty meaning the resource's own): apiVersion and kind, schema types and unknown/duplicate
// fields. Unknown fields are removed; warnings for Warn mode are appended to `warnings`.
// `whole_object` (create and update bodies): a strict decoding error carries upstream's
// "<Kind> in version "<v>" cannot be handled as a <Kind>: " prefix, as kube-apiserver's
// create and update handlers write it (its patch handler does not).
absl::Status DecodeObject(const schema::Schema& schema, const std::string& schema_type, const std::string& group_version,
                          const std::string& kind, ParsedBody* body, FieldValidation validation,
                          std::vector<std::string>* warnings,
                          bool whole_object = false);

}  // namespace cubelet::apiserver
