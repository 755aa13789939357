// Owns: the OpenAPI v3 documents cubelet-server serves, in the shape kube-apiserver generates
// and kube-openapi's handler3 serves them: GET /openapi/v3 lists every served group version with
// a content hash, GET /openapi/v3/<api/v1 | apis/G/V>[?hash=H] answers that group version's
// document (paths of every served resource and subresource, their operations and parameters,
// and components.schemas), with ETag, immutable caching for a matching hash and a 301 to the
// current hash for a stale one. kubectl reads these documents to decide on server-side field
// validation (a PATCH operation carrying the kind's x-kubernetes-group-version-kind and a
// fieldValidation parameter), to compute client-side apply patches (the x-kubernetes-patch-*
// field extensions) and for `kubectl explain`.
// It writes them in OpenAPI 3's shape (parameters typed by a schema, requestBody, responses by
// media type, references into components.schemas).
// Does not own: which operations and schemas there are (openapi/operations.h,
// openapi/schemas.h: the same for the v2 document), ETag and Accept rules (openapi/serving.h),
// routing, authentication and the 404 for paths it does not serve (api_handler.h), discovery
// (discovery.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "httpserver/http_server.h"
#include "json/value.h"
#include "registry/resource.h"
#include "schema/schema.h"

namespace cubelet::apiserver {

// Immutable once built; Serve is thread-safe.
class OpenApiDocuments {
 public:
  // Builds every document once: one per group version of `resources`. `kubernetes_version`
  // ("v1.32.0") is the documents' info.version. `clock` (not owned, may be null for the real
  // clock) dates the Expires header of hash-addressed answers.
  OpenApiDocuments(const schema::Schema& schema, const std::vector<registry::ResourceInfo>& resources,
                   std::string kubernetes_version, const Clock* clock = nullptr);

  // GET (or HEAD) /openapi/v3 and /openapi/v3/<group version path>; nullopt when the path is
  // not one of them (the caller answers 404). Only JSON is served: a request that accepts
  // neither application/json nor a wildcard gets 406.
  std::optional<httpserver::Response> Serve(const httpserver::Request& request) const;

  // Served group version paths ("api/v1", "apis/coordination.k8s.io/v1"), sorted.
  std::vector<std::string> GroupVersionPaths() const;
  // The document of a group version path, or nullptr.
  const json::Value* Document(std::string_view group_version_path) const;
  // Its hash as the root document and ETag carry it (uppercase hex SHA-512 of the bytes
  // served, as upstream); "" when not served.
  std::string Hash(std::string_view group_version_path) const;

  // OK, or what had to be left out because the schema table lacks a type a served resource
  // names (its paths are then not published; a broken invariant of the built-in tables).
  const absl::Status& build_status() const { return build_status_; }

 private:
  struct GroupVersionDocument {
    json::Value document;
    std::string body;  // json::Write(document)
    std::string hash;
  };

  httpserver::Response ServeRoot(const httpserver::Request& request) const;
  httpserver::Response ServeGroupVersion(const httpserver::Request& request, std::string_view path,
                                         const GroupVersionDocument& doc) const;

  std::map<std::string, GroupVersionDocument, std::less<>> documents_;
  std::string root_body_;
  std::string root_hash_;
  absl::Status build_status_;
  RealClock real_clock_;
  const Clock* clock_;
};

}  // namespace cubelet::apiserver
