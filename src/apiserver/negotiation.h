// Owns: content negotiation of cubelet-server (upstream apiserver/pkg/endpoints/handlers/
// negotiation): which representation a client accepts (plain JSON, a meta.k8s.io Table, or
// PartialObjectMetadata), and which body formats it may send (JSON, YAML, Kubernetes protobuf;
// CBOR and anything else are refused with 415).
// Does not own: building Tables (table.h) or parsing bodies (body.h).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "httpserver/http_server.h"

namespace cubelet::apiserver {

enum class OutputKind { kJson, kTable, kPartialObjectMetadata };

struct OutputFormat {
  OutputKind kind = OutputKind::kJson;
  std::string table_version = "v1";  // meta.k8s.io/v1 or v1beta1, as asked
  // Table rows' object: "Metadata" (default, PartialObjectMetadata), "None" or "Object".
  std::string include_object = "Metadata";
};

// From the Accept header (a list with parameters, in order of preference) and includeObject.
// NotAcceptable when nothing offered can be produced (e.g. protobuf only).
absl::StatusOr<OutputFormat> NegotiateOutput(const httpserver::Request& request);

enum class BodyFormat { kJson, kYaml, kProtobuf };

// The media type of a write's body (parameters ignored); 415 for anything but JSON, YAML or
// application/vnd.kubernetes.protobuf.
absl::StatusOr<BodyFormat> NegotiateBody(const httpserver::Request& request);

// The bare media type of a header value: "application/json" from "application/json; charset=utf-8".
std::string MediaTypeOf(std::string_view header);

}  // namespace cubelet::apiserver
