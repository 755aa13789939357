// Owns: encoding a Swagger 2.0 JSON document as the protobuf kubectl downloads from /openapi/v2
// (gnostic's openapi_v2.Document, our own wire-compatible proto/openapiv2.proto), the way
// kube-openapi derives it from the JSON: objects become messages, maps become ordered
// (name, value) lists, "$ref" becomes `_ref`, and every x-* vendor extension becomes a NamedAny
// whose value is YAML text (kubectl reads extensions by parsing that YAML).
// Does not own: what the document says (document.h). The protobuf types stay in this folder.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "json/value.h"

namespace cubelet::openapiv2 {

// The serialized openapi_v2.Document. The encoder is strict: a key or value type it cannot
// represent is InvalidArgument naming its place in the document ("paths./api/v1/pods.get..."),
// so the JSON and protobuf forms never silently differ.
absl::StatusOr<std::string> EncodeProtobuf(const json::Value& swagger);

// The YAML text a vendor extension's value is carried as: JSON flow style with a space after
// every ':' and ',', which YAML 1.1 (gopkg.in/yaml.v2) and YAML 1.2 parsers both read.
std::string ExtensionYaml(const json::Value& value);

}  // namespace cubelet::openapiv2
