// Owns: the HTTP endpoint of the OpenAPI v2 document, as kube-openapi's handler serves it:
// GET (or HEAD) /openapi/v2 and the legacy /swagger-2.0.0.pb-v1 answer JSON or the gnostic
// protobuf by the Accept header (the first acceptable of application/json,
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf and its newer spelling
// ...spec.v2.v1.0+protobuf; no Accept means JSON), with one ETag (uppercase hex SHA-512 of the
// JSON) for both, 304 for a matching If-None-Match and 406 when nothing offered is acceptable.
// Does not own: what the document says (document.h), the ETag, If-None-Match and Accept rules
// both OpenAPI endpoints share (openapi/serving.h), authentication and the 404 for other paths
// (apiserver/api_handler.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "httpserver/http_server.h"
#include "registry/resource.h"
#include "schema/schema.h"

namespace cubelet::openapiv2 {

inline constexpr std::string_view kOpenApiV2Path = "/openapi/v2";
inline constexpr std::string_view kLegacySwaggerPath = "/swagger-2.0.0.pb-v1";
// What kubectl (client-go discovery) asks for, and what kube-openapi answers with for both
// protobuf spellings.
inline constexpr std::string_view kProtobufAcceptType = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
inline constexpr std::string_view kProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

// Immutable once built (the document is built and encoded in the constructor); Serve is
// thread-safe.
class OpenApiV2Service {
 public:
  OpenApiV2Service(const schema::Schema& schema, const std::vector<registry::ResourceInfo>& resources,
                   std::string_view kubernetes_version);

  // The answer to GET or HEAD of kOpenApiV2Path or kLegacySwaggerPath; nullopt for any other
  // request (the caller routes it elsewhere).
  std::optional<httpserver::Response> Serve(const httpserver::Request& request) const;

  const std::string& json() const { return json_; }
  const std::string& protobuf() const { return protobuf_; }
  const std::string& etag() const { return etag_; }  // unquoted
  // OK, or what was left out of the document (document.h) or why the protobuf form is empty.
  const absl::Status& build_status() const { return build_status_; }

 private:
  std::string json_;
  std::string protobuf_;
  std::string etag_;
  absl::Status build_status_;
};

}  // namespace cubelet::openapiv2
